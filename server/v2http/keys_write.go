package v2http

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"unsafe"

	"skiff/store"
)

// writeKeyEvent writes a successful keys response (§1.3–§1.5): X-Etcd-Index
// is the event's EtcdIndex, X-Raft-Index and X-Raft-Term the member's raft
// position, 201 when the event created a node and 200 otherwise, and the
// event as JSON ending in "\n". With noValueOnSuccess a set, create, update or
// compareAndSwap shows only its action (§1.2); deletes and gets are unchanged.
// It returns the status sent.
func (a *api) writeKeyEvent(w http.ResponseWriter, ev *store.Event, noValueOnSuccess bool) int {
	raftIndex, term := a.cfg.Server.RaftIndexTerm()
	setEventHeaders(w.Header(), ev.EtcdIndex, raftIndex, term)
	status := http.StatusOK // sent by the first Write
	if ev.IsCreated() {
		status = http.StatusCreated
		w.WriteHeader(status)
	}
	if noValueOnSuccess && hidesValue(ev.Action) {
		ev = &store.Event{Action: ev.Action}
	}
	// A failed write means the client went away; there is no one to tell.
	_ = encodeEvent(w, ev)
	return status
}

// setEventHeaders sets Content-Type, X-Etcd-Index, X-Raft-Index and
// X-Raft-Term as four Header.Set calls would (the keys are canonical, and each
// value slice has room for exactly its one value, so a later Add copies), but
// with one allocation instead of seven: the value slices and the digits of
// the three numbers share it, the numbers being strings over its digits.
func setEventHeaders(h http.Header, etcdIndex, raftIndex, term uint64) {
	e := new(eventHeaders)
	b := strconv.AppendUint(e.digits[:0], etcdIndex, 10)
	i := len(b)
	b = strconv.AppendUint(b, raftIndex, 10)
	j := len(b)
	b = strconv.AppendUint(b, term, 10)
	// b is e.digits (3×20 digits always fit), never written again.
	nums := unsafe.String(unsafe.SliceData(b), len(b))
	e.values = [4]string{"application/json", nums[:i], nums[i:j], nums[j:]}
	h["Content-Type"] = e.values[0:1:1]
	h["X-Etcd-Index"] = e.values[1:2:2]
	h["X-Raft-Index"] = e.values[2:3:3]
	h["X-Raft-Term"] = e.values[3:4:4]
}

// eventHeaders holds setEventHeaders' values.
type eventHeaders struct {
	values [4]string
	digits [3 * 20]byte
}

func hidesValue(action string) bool {
	switch action {
	case store.ActionSet, store.ActionCreate, store.ActionUpdate, store.ActionCompareAndSwap:
		return true
	}
	return false
}

// writeKeyError writes a v2 error (§2): its HTTP status, X-Etcd-Index set to
// the error's index (0 for parse and auth errors), and the error JSON ending
// in "\n". Errors carry no X-Raft-Index or X-Raft-Term (§10.4). An error that
// is not a *store.Error is a bug in this package; it is sent as 300 rather
// than crashing the request. It returns the status sent.
func writeKeyError(w http.ResponseWriter, err error) int {
	var se *store.Error
	if !errors.As(err, &se) {
		se = store.ErrRaftInternal(err.Error(), 0)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Etcd-Index", strconv.FormatUint(se.Index, 10))
	status := se.StatusCode()
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(se)
	return status
}
