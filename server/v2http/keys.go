package v2http

import (
	"context"
	"errors"
	"net/http"
	"time"

	"skiff/server/limits"
	"skiff/server/membership"
	"skiff/store"
)

// serveKeys is /v2/keys{/path} (contract §1): parse, authorize, then one of a
// write through raft, a quorum read, a watch or a local read. It returns the
// status it sent, for the request counters (front counts a keys request
// without wrapping its writer).
func (a *api) serveKeys(w http.ResponseWriter, r *http.Request) int {
	if !limits.AllowMethod(w, r.Method, "HEAD", "GET", "PUT", "POST", "DELETE") {
		return http.StatusMethodNotAllowed
	}
	// §1.5: every keys response names the cluster, errors included (but not
	// the 405 above, as etcd).
	w.Header()["X-Etcd-Cluster-Id"] = a.clusterIDHeader() // Set, canonical key
	now := a.cfg.Now()
	kr, perr := parseKeyRequest(r, now)
	if perr != nil {
		return writeKeyError(w, perr)
	}
	return a.serveKeyRequest(w, r, &kr, now)
}

// serveKeyRequest serves a parsed keys request that arrived at now. kr does
// not outlive it, and so stays on the stack: write proposes a copy of its
// store request.
func (a *api) serveKeyRequest(w http.ResponseWriter, r *http.Request, kr *keyRequest, now time.Time) int {
	if !a.canAccessKey(r, kr) {
		return writeKeyError(w, store.ErrUnauthorized("Insufficient credentials", 0))
	}
	switch {
	case kr.isWrite():
		return a.write(w, r, kr)
	case kr.quorum && r.Method == http.MethodGet:
		// quorum wins over wait: etcd turns the GET into a QGET, which reads
		// and never watches (probed on 3.4.23). A HEAD stays a local read,
		// as in etcd.
		return a.quorumGet(w, r, kr)
	case kr.wait:
		return a.watch(w, r, kr)
	default:
		// The request's own time: a read does not wait, and the clock is
		// read once per request.
		return a.localGet(w, kr, now)
	}
}

// clusterIDHeader is the value of X-Etcd-Cluster-Id, formatted once per
// cluster ID rather than once per request. The returned slice is shared
// between requests, so its capacity is 1: an Add to it copies.
func (a *api) clusterIDHeader() []string {
	id := a.cfg.Server.ClusterID()
	if c := a.clusterID.Load(); c != nil && c.id == id {
		return c.header
	}
	c := &clusterIDValue{id: id, header: []string{id.String()}}
	a.clusterID.Store(c)
	return c.header[0:1:1]
}

// clusterIDValue is a cluster ID and its header value.
type clusterIDValue struct {
	id     membership.ID
	header []string
}

// canAccessKey asks the Authorizer, if any (§4).
func (a *api) canAccessKey(r *http.Request, kr *keyRequest) bool {
	if a.cfg.Authorizer == nil {
		return true
	}
	return a.cfg.Authorizer.CanAccessKey(r, kr.Key, kr.Recursive, kr.isWrite())
}

// write proposes a PUT, POST or DELETE and answers with its event.
func (a *api) write(w http.ResponseWriter, r *http.Request, kr *keyRequest) int {
	req := kr.Request
	ev, err := a.cfg.Server.Do(a.timeouts.context(time.Now()), &req)
	if err == nil && ev == nil {
		err = errors.New("v2http: the server answered a write with no event")
	}
	if err != nil {
		return a.writeServerError(w, r, err)
	}
	return a.writeKeyEvent(w, ev, kr.noValueOnSuccess)
}

// quorumGet waits for a linearizable read point, then reads locally (§1.2
// quorum): the read sees every write acknowledged before it began.
func (a *api) quorumGet(w http.ResponseWriter, r *http.Request, kr *keyRequest) int {
	if err := a.cfg.Server.LinearizableRead(a.timeouts.context(time.Now())); err != nil {
		return a.writeServerError(w, r, err)
	}
	return a.localGet(w, kr, a.cfg.Now()) // the time after the wait
}

// localGet reads this member's store at now (GET and HEAD with no raft round
// trip, §1.1).
func (a *api) localGet(w http.ResponseWriter, kr *keyRequest, now time.Time) int {
	ev, err := a.cfg.Server.Store().Get(kr.Namespace, kr.Key, kr.Recursive, kr.Sorted, now)
	if err != nil {
		return writeKeyError(w, err)
	}
	return a.writeKeyEvent(w, ev, false)
}

// writeServerError writes an error from Do or LinearizableRead: a store error
// as it is, and anything else as 301 (no leader) or 300 with the error's text
// as the cause and index 0, as etcd does (§1.11, §2).
func (a *api) writeServerError(w http.ResponseWriter, r *http.Request, err error) int {
	var se *store.Error
	switch {
	case errors.As(err, &se):
		return writeKeyError(w, se)
	case errors.Is(err, ErrNoLeader):
		se = store.ErrLeaderElect(err.Error(), 0)
	case errors.Is(err, context.DeadlineExceeded):
		se = store.ErrRaftInternal(ErrTimeout.Error(), 0)
	default:
		se = store.ErrRaftInternal(err.Error(), 0)
	}
	if r.Context().Err() == nil { // a client that left is not the server's failure
		a.cfg.Logger.Warn("v2http: keys request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	return writeKeyError(w, se)
}
