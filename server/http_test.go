package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"skiff/store"
)

// httpDo sends one request to member i's client URL and returns the status,
// the X-Etcd-Index header and the body.
func (c *testCluster) httpDo(i int, method, path string, form url.Values) (int, string, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, "http://"+c.members[i].clientAddr+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("X-Etcd-Index"), string(b)
}

// One member over HTTP: PUT creates (201), GET and quorum GET read it back,
// and the member lists itself by name in /v2/members once published.
func TestHTTPSingleMemberPutGet(t *testing.T) {
	c := newTestCluster(t, 1)
	code, _, body := c.httpDo(0, "PUT", "/v2/keys/foo", url.Values{"value": {"bar"}})
	if code != http.StatusCreated || !strings.Contains(body, `"action":"set"`) || !strings.Contains(body, `"value":"bar"`) {
		t.Fatalf("PUT /v2/keys/foo: %d %s", code, body)
	}
	for _, path := range []string{"/v2/keys/foo", "/v2/keys/foo?quorum=true"} {
		code, index, body := c.httpDo(0, "GET", path, nil)
		if code != http.StatusOK || !strings.Contains(body, `"value":"bar"`) || index == "" {
			t.Fatalf("GET %s: %d index=%q %s", path, code, index, body)
		}
	}
	code, _, body = c.httpDo(0, "GET", "/v2/keys/missing", nil)
	if code != http.StatusNotFound || !strings.Contains(body, `"errorCode":100`) {
		t.Fatalf("GET a missing key: %d %s", code, body)
	}
	waitFor(t, "/v2/members shows the member's name", func() bool {
		_, _, body := c.httpDo(0, "GET", "/v2/members", nil)
		var list struct {
			Members []struct {
				ID         string   `json:"id"`
				Name       string   `json:"name"`
				ClientURLs []string `json:"clientURLs"`
			} `json:"members"`
		}
		return json.Unmarshal([]byte(body), &list) == nil && len(list.Members) == 1 &&
			list.Members[0].Name == "m1" && list.Members[0].ID == c.members[0].s.ID().String() &&
			len(list.Members[0].ClientURLs) == 1 && list.Members[0].ClientURLs[0] == "http://"+c.members[0].clientAddr
	})
	// As on etcd, a fresh one-member cluster has made three internal
	// writes before the first user write: the member's peer URLs, its
	// published attributes and the cluster version.
	waitFor(t, "the cluster version is recorded", func() bool {
		ev, err := c.members[0].s.Store().Get(store.Cluster, clusterVersionKey, false, false, time.Time{})
		return err == nil && *ev.Node.Value == "3.4.0"
	})
	code, index, _ := c.httpDo(0, "PUT", "/v2/keys/second", url.Values{"value": {"2"}})
	if code != http.StatusCreated || index != "5" {
		t.Fatalf("second PUT: %d X-Etcd-Index %s, want 201 and 5 (3 internal writes, then /foo)", code, index)
	}
	code, _, body = c.httpDo(0, "GET", "/v2/stats/self", nil)
	if code != http.StatusOK || !strings.Contains(body, `"state":"StateLeader"`) {
		t.Fatalf("/v2/stats/self: %d %s", code, body)
	}
	code, _, body = c.httpDo(0, "GET", "/metrics", nil)
	for _, metric := range []string{"etcd_server_term", "etcd_disk_wal_fsync_duration_seconds", "etcd_server_proposals_committed_total"} {
		if code != http.StatusOK || !strings.Contains(body, metric) {
			t.Fatalf("/metrics lacks %s (status %d)", metric, code)
		}
	}
}

// A write through a follower's client API is answered by that follower once
// it has applied the entry, so a local read there right after sees it.
func TestHTTPWriteThroughFollowerReadsLocally(t *testing.T) {
	c := newTestCluster(t, 3)
	lead := c.waitLeader()
	f := (lead + 1) % 3
	code, _, body := c.httpDo(f, "PUT", "/v2/keys/x", url.Values{"value": {"1"}})
	if code != http.StatusCreated {
		t.Fatalf("PUT via follower: %d %s", code, body)
	}
	code, _, body = c.httpDo(f, "GET", "/v2/keys/x", nil)
	if code != http.StatusOK || !strings.Contains(body, `"value":"1"`) {
		t.Fatalf("GET on the follower right after: %d %s", code, body)
	}
	code, _, body = c.httpDo(f, "GET", "/v2/stats/leader", nil)
	if code != http.StatusForbidden {
		t.Fatalf("/v2/stats/leader on a follower: %d %s, want 403", code, body)
	}
	// Heartbeats go out every 20 ms; give the leader a few round trips.
	waitFor(t, "the leader measures its followers' latency", func() bool {
		code, _, body = c.httpDo(lead, "GET", "/v2/stats/leader", nil)
		var ls struct {
			Followers map[string]struct {
				Latency struct{ Current, Average, Minimum, Maximum float64 } `json:"latency"`
				Counts  struct{ Success uint64 }                             `json:"counts"`
			} `json:"followers"`
		}
		if code != http.StatusOK || json.Unmarshal([]byte(body), &ls) != nil || len(ls.Followers) != 2 {
			return false
		}
		for _, f := range ls.Followers {
			l := f.Latency
			if l.Current <= 0 || l.Minimum > l.Average || l.Average > l.Maximum || f.Counts.Success == 0 {
				return false
			}
		}
		return true
	})
}

// v2 auth is served: with a root user and auth on, a request without
// credentials to a key the guest role may not write is refused with 110,
// and root's credentials are accepted.
func TestHTTPAuthIsServed(t *testing.T) {
	c := newTestCluster(t, 1)
	put := func(path, body, user string) (int, string) {
		req, _ := http.NewRequest("PUT", "http://"+c.members[0].clientAddr+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if user != "" {
			req.SetBasicAuth(user, "pw")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := put("/v2/auth/users/root", `{"user":"root","password":"pw"}`, ""); code != http.StatusCreated {
		t.Fatalf("create root: %d %s", code, body)
	}
	if code, body := put("/v2/auth/enable", "", ""); code != http.StatusOK {
		t.Fatalf("enable auth: %d %s", code, body)
	}
	// Narrow the guest role to nothing, as an administrator would.
	if code, body := put("/v2/auth/roles/guest", `{"role":"guest","revoke":{"kv":{"read":["/*"],"write":["/*"]}}}`, "root"); code != http.StatusOK {
		t.Fatalf("revoke guest: %d %s", code, body)
	}
	code, _, body := c.httpDo(0, "PUT", "/v2/keys/locked", url.Values{"value": {"x"}})
	if code != http.StatusUnauthorized || !strings.Contains(body, `"errorCode":110`) {
		t.Fatalf("guest write with auth on: %d %s", code, body)
	}
	req, _ := http.NewRequest("PUT", "http://"+c.members[0].clientAddr+"/v2/keys/locked", strings.NewReader("value=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("root", "pw")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("root write with auth on: %d", resp.StatusCode)
	}
}

// requireMetric fails the test unless member i's /metrics has the line.
func (c *testCluster) requireMetric(i int, line string) {
	c.t.Helper()
	code, _, body := c.httpDo(i, "GET", "/metrics", nil)
	if code != http.StatusOK || !slices.Contains(strings.Split(body, "\n"), line) {
		c.t.Fatalf("member %d's /metrics (status %d) lacks the line %q", i, code, line)
	}
}
