package v2http

import (
	"net/http"
	"strconv"

	"skiff/store"
)

// watch serves GET ?wait=true (§1.8). The headers go out at once (200,
// X-Etcd-Index = the store index when the watch began, chunked), so a client
// knows its watch is registered before any event arrives. A plain watch then
// sends one event and ends; with stream=true every event goes out as one JSON
// line, flushed, until the client goes away.
//
// Nothing here can block anyone else: the store hands events to the watcher
// without waiting, and removes a watcher that falls more than its buffer
// behind, which closes the channel and ends this response (§1.8). A client
// that disconnects cancels r.Context(), and the deferred Remove unregisters
// the watcher, so no goroutine or watcher outlives the request. It returns
// the status sent.
func (a *api) watch(w http.ResponseWriter, r *http.Request, kr *keyRequest) int {
	wa, err := a.cfg.Server.Store().Watch(kr.Namespace, kr.Key, kr.Recursive, kr.stream, kr.waitIndex)
	if err != nil {
		// e.g. 401 "outdated and cleared", sent with HTTP 400 (§10.1).
		return writeKeyError(w, err)
	}
	defer wa.Remove()
	raftIndex, term := a.cfg.Server.RaftIndexTerm()
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Etcd-Index", strconv.FormatUint(wa.StartIndex(), 10))
	h.Set("X-Raft-Index", strconv.FormatUint(raftIndex, 10))
	h.Set("X-Raft-Term", strconv.FormatUint(term, 10))
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	if rc.Flush() == nil {
		sendEvents(r, a.cfg.Done, rc, w, wa, kr.stream)
	}
	return http.StatusOK
}

// sendEvents copies the watcher's events to the client until the watch ends:
// after one event unless stream, when the store closes the channel, when the
// client goes away, or when done is closed (the member is shutting down).
func sendEvents(r *http.Request, done <-chan struct{}, rc *http.ResponseController, w http.ResponseWriter,
	wa *store.Watcher, stream bool) {
	for {
		select {
		case <-r.Context().Done():
			return
		case <-done:
			return
		case ev, ok := <-wa.EventChan():
			if !ok {
				return
			}
			if encodeEvent(w, ev) != nil || !stream {
				return
			}
			if rc.Flush() != nil {
				return
			}
		}
	}
}
