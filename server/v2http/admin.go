package v2http

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"skiff/server/limits"
)

// The versions /version reports. skiff answers with etcd's numbers, not its
// own, because etcdctl and other v2 clients check them (a cluster version
// below 3.4 or a missing field changes their behaviour); docs/api.md says so.
const (
	etcdServerVersion  = "3.4.23"
	etcdClusterVersion = "3.4.0"
)

// serveVersion is GET /version (§3): {"etcdserver":"3.4.23","etcdcluster":"3.4.0"}
// with no trailing newline.
func serveVersion(w http.ResponseWriter, r *http.Request) {
	if !limits.AllowMethod(w, r.Method, "GET") {
		return
	}
	writeCompactJSON(w, struct {
		Server  string `json:"etcdserver"`
		Cluster string `json:"etcdcluster"`
	}{etcdServerVersion, etcdClusterVersion})
}

// serveMachines is GET /v2/machines (§3): every member's client URLs, sorted,
// joined with ", ", as text/plain.
func (a *api) serveMachines(w http.ResponseWriter, r *http.Request) {
	if !limits.AllowMethod(w, r.Method, "GET", "HEAD") {
		return
	}
	var urls []string
	for _, m := range a.cfg.Server.Members() {
		urls = append(urls, m.ClientURLs...)
	}
	slices.Sort(urls)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(strings.Join(urls, ", ")))
}

// serveHealth is GET /health (§3, §10.15): 200 {"health":"true"} when there is
// a leader and a quorum read completes within HealthTimeout, otherwise 503
// {"health":"false"}. Both are text/plain, as etcd sends them; the 503 body
// ends in "\n" (http.Error) and the 200 body does not.
func (a *api) serveHealth(w http.ResponseWriter, r *http.Request) {
	if !limits.AllowMethod(w, r.Method, "GET") {
		return
	}
	if !a.healthy(r.Context()) {
		http.Error(w, `{"health":"false"}`, http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(`{"health":"true"}`))
}

func (a *api) healthy(ctx context.Context) bool {
	if _, ok := a.cfg.Server.Leader(); !ok {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, a.cfg.HealthTimeout)
	defer cancel()
	return a.cfg.Server.LinearizableRead(ctx) == nil
}
