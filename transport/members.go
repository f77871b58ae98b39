package transport

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// serveMembers answers GET /members with the member list as etcd does: a
// JSON array, and the cluster ID in X-Etcd-Cluster-ID. It is not checked
// against the cluster ID, because a joining member does not know it yet.
func (t *Transport) serveMembers(w http.ResponseWriter, r *http.Request) {
	members := []Member{}
	if t.cfg.Members != nil {
		if ms := t.cfg.Members(); ms != nil {
			members = ms
		}
	}
	w.Header().Set(headerClusterID, formatID(t.cfg.ClusterID))
	writeJSON(w, members)
}

// serveVersion answers GET /version with the versions skiff speaks.
func (t *Transport) serveVersion(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, t.cfg.Version)
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

// FetchMembers reads the member list and cluster ID from the peer /members
// endpoint at peerURL, as a joining member does before it starts (etcd's
// --initial-cluster-state existing). A nil client means
// http.DefaultClient.
func FetchMembers(ctx context.Context, c *http.Client, peerURL string) (clusterID uint64, members []Member, err error) {
	resp, err := get(ctx, c, joinURL(peerURL, MembersPath))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	clusterID, err = parseID(resp.Header.Get(headerClusterID))
	if err != nil {
		return 0, nil, fmt.Errorf("members from %s: bad %s header: %v", peerURL, headerClusterID, err)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&members); err != nil {
		return 0, nil, fmt.Errorf("members from %s: decoding: %w", peerURL, err)
	}
	return clusterID, members, nil
}

// FetchVersion reads the peer /version endpoint at peerURL.
func FetchVersion(ctx context.Context, c *http.Client, peerURL string) (Version, error) {
	var v Version
	resp, err := get(ctx, c, joinURL(peerURL, VersionPath))
	if err != nil {
		return v, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&v); err != nil {
		return v, fmt.Errorf("version from %s: decoding: %w", peerURL, err)
	}
	return v, nil
}

// get performs a GET and turns any status but 200 into an error.
func get(ctx context.Context, c *http.Client, url string) (*http.Response, error) {
	if c == nil {
		c = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("bad peer URL %q: %w", url, err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		return nil, fmt.Errorf("%w: GET %s answered %s: %s", ErrRefused, url, resp.Status, body)
	}
	return resp, nil
}
