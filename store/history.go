package store

import (
	"fmt"
	"strings"
)

// historySize is how many events the store keeps for watches that start in
// the past: etcd's 1000, for the whole store (§1.8).
const historySize = 1000

// history is a ring of the last events. Because every write makes exactly
// one event (Store invariant 2) their indexes are consecutive, so the event
// with index i sits at offset i-oldest.
type history struct {
	ring  []*Event
	first int // ring position of the oldest event
	n     int // number of events held
}

func (h *history) init(size int) { h.ring, h.first, h.n = make([]*Event, size), 0, 0 }

func (h *history) add(e *Event) {
	if h.n < len(h.ring) {
		h.ring[(h.first+h.n)%len(h.ring)] = e
		h.n++
		return
	}
	h.ring[h.first] = e
	h.first = (h.first + 1) % len(h.ring)
}

// at returns the i-th oldest event held.
func (h *history) at(i int) *Event { return h.ring[(h.first+i)%len(h.ring)] }

// events lists the held events, oldest first.
func (h *history) events() []*Event {
	out := make([]*Event, h.n)
	for i := range out {
		out[i] = h.at(i)
	}
	return out
}

// scan returns the matching events with index ≥ since, oldest first, at most
// limit of them; storeIndex is the current store index. A since older than
// the oldest event held is 401, with etcd's cause "[oldest/requested]" and
// the current index (§1.8).
func (h *history) scan(ns Namespace, key string, recursive bool, since, storeIndex uint64, limit int) ([]*Event, *Error) {
	oldest := storeIndex + 1 - uint64(h.n)
	if since < oldest {
		return nil, ErrEventIndexCleared(
			fmt.Sprintf("the requested history has been cleared [%d/%d]", oldest, since), storeIndex)
	}
	var out []*Event
	for i := int(since - oldest); i < h.n && len(out) < limit; i++ {
		if e := h.at(i); matches(e, ns, key, recursive) {
			out = append(out, e)
		}
	}
	return out, nil
}

// matches reports whether a watch on key (recursive or not) is woken by e.
// It is the one definition of a watch's interest, used both for the history
// and for live events (§1.7, §1.8):
//   - a refresh wakes nobody;
//   - an event on the watched key itself always does, hidden or not;
//   - a recursive watch is woken by events below its key, unless the path
//     from the key down to the event has a hidden segment;
//   - deleting or expiring a directory wakes every watch at or below it.
func matches(e *Event, ns Namespace, key string, recursive bool) bool {
	if e.Refresh || e.ns != ns {
		return false
	}
	k := e.Node.Key
	if k == key {
		return true
	}
	if recursive && isBelow(k, key) && !hasHiddenSegment(relative(k, key)) {
		return true
	}
	return e.isDirRemoval() && isBelow(key, k)
}

// isBelow reports whether the clean path p is strictly under dir.
func isBelow(p, dir string) bool {
	if dir == "/" {
		return p != "/" && p != ""
	}
	return len(p) > len(dir) && p[len(dir)] == '/' && strings.HasPrefix(p, dir)
}

// relative is p's path below dir, starting after the separating slash.
func relative(p, dir string) string {
	if dir == "/" {
		return p[1:]
	}
	return p[len(dir)+1:]
}

// hasHiddenSegment reports whether any segment of the relative path rel
// starts with "_".
func hasHiddenSegment(rel string) bool {
	for {
		if strings.HasPrefix(rel, "_") {
			return true
		}
		i := strings.IndexByte(rel, '/')
		if i < 0 {
			return false
		}
		rel = rel[i+1:]
	}
}
