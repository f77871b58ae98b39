package v2http

import (
	"encoding/json"
	"net/http"

	"skiff/server/limits"
)

// serveSelfStats is GET /v2/stats/self (§3).
func (a *api) serveSelfStats(w http.ResponseWriter, r *http.Request) {
	if !limits.AllowMethod(w, r.Method, "GET") {
		return
	}
	writeCompactJSON(w, a.cfg.Server.SelfStats())
}

// serveLeaderStats is GET /v2/stats/leader: the leader's view of its
// followers, or 403 "not current leader" on a follower (§3, §10.15).
func (a *api) serveLeaderStats(w http.ResponseWriter, r *http.Request) {
	if !limits.AllowMethod(w, r.Method, "GET") {
		return
	}
	stats, ok := a.cfg.Server.LeaderStats()
	if !ok {
		limits.WriteMessage(w, http.StatusForbidden, "not current leader")
		return
	}
	writeCompactJSON(w, stats)
}

// serveStoreStats is GET /v2/stats/store: this member's store counters (§3).
func (a *api) serveStoreStats(w http.ResponseWriter, r *http.Request) {
	if !limits.AllowMethod(w, r.Method, "GET") {
		return
	}
	writeCompactJSON(w, a.cfg.Server.Store().Stats())
}

// writeCompactJSON writes v as etcd writes its stats: JSON with no trailing
// newline. A []byte is taken as JSON already encoded. A value that cannot be
// marshalled is the server's bug: 500.
func writeCompactJSON(w http.ResponseWriter, v any) {
	if raw, ok := v.([]byte); ok {
		v = json.RawMessage(raw)
	}
	b, err := json.Marshal(v)
	if err != nil {
		limits.WriteMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
