package transport

import (
	"fmt"
	"net/http"
)

// Handler serves the peer endpoints: StreamPath and SnapshotPath for raft,
// MembersPath and VersionPath for joining members. Mount it at the root of
// the peer listener. The http.Server may have read and write timeouts: the
// raft endpoints clear them on their own connections.
func (t *Transport) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+StreamPath, t.serveStream)
	mux.HandleFunc("POST "+SnapshotPath, t.serveSnapshot)
	mux.HandleFunc("GET "+MembersPath, t.serveMembers)
	mux.HandleFunc("GET "+VersionPath, t.serveVersion)
	return mux
}

// checkRequest validates a raft request's headers and answers it with the
// reason if they are wrong: the cluster ID must be ours (412), the sender
// must not be a removed member (410), and the request must be meant for
// this member (412). It returns the sender's ID.
func (t *Transport) checkRequest(w http.ResponseWriter, r *http.Request) (uint64, bool) {
	w.Header().Set(headerClusterID, formatID(t.cfg.ClusterID))
	cluster, err := parseID(r.Header.Get(headerClusterID))
	if err != nil {
		refuse(w, fmt.Sprintf("bad %s header: %v", headerClusterID, err), http.StatusBadRequest)
		return 0, false
	}
	from, err := parseID(r.Header.Get(headerFrom))
	if err != nil {
		refuse(w, fmt.Sprintf("bad %s header: %v", headerFrom, err), http.StatusBadRequest)
		return 0, false
	}
	if cluster != t.cfg.ClusterID {
		t.log.Error("refused request from another cluster", "from", formatID(from),
			"remote-cluster-id", formatID(cluster), "local-cluster-id", formatID(t.cfg.ClusterID))
		refuse(w, fmt.Sprintf("cluster ID mismatch: member %x is in cluster %x, this member (%x) is in cluster %x",
			from, cluster, t.cfg.ID, t.cfg.ClusterID), http.StatusPreconditionFailed)
		return 0, false
	}
	if t.cfg.IsRemoved != nil && t.cfg.IsRemoved(from) {
		t.log.Warn("refused request from removed member", "from", formatID(from))
		refuse(w, fmt.Sprintf("removed member: %x was removed from cluster %x", from, t.cfg.ClusterID), http.StatusGone)
		return 0, false
	}
	if to, err := parseID(r.Header.Get(headerTo)); err != nil || to != t.cfg.ID {
		refuse(w, fmt.Sprintf("to field mismatch: request for member %s reached member %x",
			r.Header.Get(headerTo), t.cfg.ID), http.StatusPreconditionFailed)
		return 0, false
	}
	return from, true
}

// refuse answers a raft request with an error and closes the connection
// afterwards. Without the close, the server would try to read the rest of
// the request body before answering, and a stream's body never ends.
func refuse(w http.ResponseWriter, msg string, status int) {
	w.Header().Set("Connection", "close")
	http.Error(w, msg, status)
}
