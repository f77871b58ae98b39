package server

import (
	"sync"

	"skiff/store"
)

// result is what applying one command produced, handed to the request that
// proposed it.
type result struct {
	event *store.Event
	index uint64 // a read index, for a read request
	err   error
}

// waitRegistry matches applied commands to the requests waiting for them,
// by request ID. A request registers before it proposes; the apply loop
// triggers the ID once the entry is applied. IDs that nobody registered
// (entries proposed by other members, or replayed after a restart) are
// ignored.
//
// Invariant: each registered channel receives at most one result and is
// buffered, so trigger never blocks the apply loop.
//
// Every write registers a channel, and a channel of a pointer-holding type
// costs two allocations, so channels are reused: a request that received its
// result hands the channel back (release). Only such a channel is known to
// be empty and out of the map; one whose request gave up may still get a
// late result, so it is left to the garbage collector.
type waitRegistry struct {
	mu      sync.Mutex
	pending map[uint64]chan result
	free    sync.Pool // of chan result, empty and unregistered
}

func newWaitRegistry() *waitRegistry {
	return &waitRegistry{pending: make(map[uint64]chan result)}
}

// register returns the channel that will receive id's result. Once the
// result is received, the caller may hand the channel back with release.
func (w *waitRegistry) register(id uint64) chan result {
	ch, _ := w.free.Get().(chan result)
	if ch == nil {
		ch = make(chan result, 1)
	}
	w.mu.Lock()
	w.pending[id] = ch
	w.mu.Unlock()
	return ch
}

// release takes back a channel from register whose one result has been
// received, for a later register to reuse.
func (w *waitRegistry) release(ch chan result) { w.free.Put(ch) }

// cancel forgets id: its request gave up (timeout, cancelled context).
func (w *waitRegistry) cancel(id uint64) {
	w.mu.Lock()
	delete(w.pending, id)
	w.mu.Unlock()
}

// trigger delivers r to the request waiting for id, if any.
func (w *waitRegistry) trigger(id uint64, r result) {
	w.mu.Lock()
	ch, ok := w.pending[id]
	delete(w.pending, id)
	w.mu.Unlock()
	if ok {
		ch <- r
	}
}

// failAll delivers err to every waiting request: the member is stopping.
func (w *waitRegistry) failAll(err error) {
	w.mu.Lock()
	pending := w.pending
	w.pending = make(map[uint64]chan result)
	w.mu.Unlock()
	for _, ch := range pending {
		ch <- result{err: err}
	}
}

// appliedWaiter lets goroutines wait until the store has applied a raft
// index: a linearizable read waits for the read index raft confirmed.
//
// Invariant: every channel in waiting is for an index above applied, and is
// closed exactly once, when applied reaches it (or at stop).
type appliedWaiter struct {
	mu      sync.Mutex
	applied uint64
	waiting map[uint64][]chan struct{}
	stopped bool
}

func newAppliedWaiter() *appliedWaiter {
	return &appliedWaiter{waiting: make(map[uint64][]chan struct{})}
}

// wait returns a channel closed once index is applied (at once if it is).
func (w *appliedWaiter) wait(index uint64) <-chan struct{} {
	ch := make(chan struct{})
	w.mu.Lock()
	defer w.mu.Unlock()
	if index <= w.applied || w.stopped {
		close(ch)
		return ch
	}
	w.waiting[index] = append(w.waiting[index], ch)
	return ch
}

// appliedTo records that every index up to applied is applied.
func (w *appliedWaiter) appliedTo(applied uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.applied = applied
	for index, chs := range w.waiting {
		if index <= applied {
			for _, ch := range chs {
				close(ch)
			}
			delete(w.waiting, index)
		}
	}
}

// stop releases every waiter: the member is stopping, and they must check
// why they were woken.
func (w *appliedWaiter) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
	for index, chs := range w.waiting {
		for _, ch := range chs {
			close(ch)
		}
		delete(w.waiting, index)
	}
}
