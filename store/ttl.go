package store

import (
	"container/heap"
	"fmt"
	"math"
	"time"
)

// TTL says how long a written node lives (contract §1.2, §10.7).
type TTL struct {
	// Set is false for a permanent node: the ttl parameter was absent or empty
	// ("ttl=" clears an existing TTL).
	Set bool
	// Seconds is the lifetime counted from the operation's now; used only when
	// Set. 0 means the node expires at the next DeleteExpiredKeys.
	Seconds uint64
	// Refresh keeps the current value, resets the TTL and wakes no watcher.
	// The API layer checks its form rules (211, 212) before proposing.
	Refresh bool
}

// minExpireTime: an expiration before it counts as permanent, as in etcd
// (§1.10), which uses it to tell a zero time apart from a real one.
var minExpireTime = time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)

// maxExpireTime is the last expiration that unix nanoseconds can hold (year
// 2262). A TTL beyond it is refused with 202 rather than wrapped (§1.10 notes
// that etcd wraps silently).
var maxExpireTime = time.Unix(0, math.MaxInt64)

// expireAt is the expiration of a node written at now with this TTL, in unix
// nanoseconds, or 0 when the node is permanent.
func (t TTL) expireAt(now time.Time, index uint64) (int64, *Error) {
	if !t.Set {
		return 0, nil
	}
	if t.Seconds > uint64(math.MaxInt64/int64(time.Second)) {
		return 0, ErrTTLNaN(fmt.Sprintf("ttl %d is too large", t.Seconds), index)
	}
	at := now.Add(time.Duration(t.Seconds) * time.Second)
	if at.After(maxExpireTime) {
		return 0, ErrTTLNaN(fmt.Sprintf("ttl %d is too large", t.Seconds), index)
	}
	if at.Before(minExpireTime) {
		return 0, nil
	}
	return at.UnixNano(), nil
}

// setExpiration gives n a new expiration (0: permanent) and keeps the TTL
// heap in step.
func (s *Store) setExpiration(n *node, expireAt int64) {
	if n.expireAt != 0 {
		s.ttl.remove(n)
	}
	n.expireAt = expireAt
	if expireAt != 0 {
		s.ttl.add(n, s.namespaceOf(n))
	}
}

// namespaceOf finds the namespace whose tree holds n.
func (s *Store) namespaceOf(n *node) Namespace {
	for n.parent != nil {
		n = n.parent
	}
	for i, r := range s.roots {
		if r == n {
			return Namespace(i)
		}
	}
	panic("store: node " + n.path + " is in no namespace")
}

// HasTTLKeys reports whether any node has an expiration; the leader proposes
// expiry sweeps only while one does (§1.10).
func (s *Store) HasTTLKeys() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.ttl.Len() > 0
}

// DeleteExpiredKeys removes every node whose expiration is at or before now,
// earliest first (ties by namespace, then path, so every member agrees), each
// with its own index and "expire" event (§1.3, §1.10). An expiring directory
// takes its subtree with it in one event and wakes the watchers below it.
// The server applies it through the log with the leader's clock. It returns
// the events, in order.
func (s *Store) DeleteExpiredKeys(now time.Time) []*Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var events []*Event
	cutoff := now.UnixNano()
	for s.ttl.Len() > 0 && s.ttl.items[0].n.expireAt <= cutoff {
		it := s.ttl.items[0]
		events = append(events, s.remove(it.ns, it.n, ActionExpire, now))
		s.stats.expired()
	}
	return events
}

// ttlItem is one node with an expiration.
type ttlItem struct {
	n  *node
	ns Namespace
}

// ttlHeap orders the nodes with an expiration by (expiration, namespace,
// path), a total order, so the expiry order depends only on the state and not
// on the order nodes were pushed: a member recovered from a snapshot expires
// keys exactly as one that never stopped.
type ttlHeap struct {
	items []ttlItem
	pos   map[*node]int
}

func (h *ttlHeap) init() { h.items, h.pos = nil, make(map[*node]int) }

func (h *ttlHeap) Len() int { return len(h.items) }

func (h *ttlHeap) Less(i, j int) bool {
	a, b := h.items[i], h.items[j]
	if a.n.expireAt != b.n.expireAt {
		return a.n.expireAt < b.n.expireAt
	}
	if a.ns != b.ns {
		return a.ns < b.ns
	}
	return a.n.path < b.n.path
}

func (h *ttlHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.pos[h.items[i].n] = i
	h.pos[h.items[j].n] = j
}

// Push and Pop are for container/heap; use add and remove.
func (h *ttlHeap) Push(x any) {
	it := x.(ttlItem)
	h.pos[it.n] = len(h.items)
	h.items = append(h.items, it)
}

func (h *ttlHeap) Pop() any {
	last := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	delete(h.pos, last.n)
	return last
}

func (h *ttlHeap) add(n *node, ns Namespace) { heap.Push(h, ttlItem{n: n, ns: ns}) }

func (h *ttlHeap) remove(n *node) {
	if i, ok := h.pos[n]; ok {
		heap.Remove(h, i)
	}
}
