package v2http

import (
	"context"
	"sync"
	"time"
)

// timeoutGrain is how much sooner than RequestTimeout a write or quorum read
// may time out: the requests that start within one grain share one context.
const timeoutGrain = 10 * time.Millisecond

// timeouts hands out the contexts that bound writes and quorum reads (§1.11).
// A context.WithTimeout of each request's own context costs four
// allocations, a runtime timer started and stopped, and a registration with
// the request's context: about 7% of a leader's CPU under quorum reads.
// Requests that start within the same grain share one context instead,
// which ends at the deadline of the first of them, so each waits at most
// RequestTimeout and at least one grain less. Never more: the member's Do
// adds its own timeout to a context whose deadline is further away than
// RequestTimeout (server/propose.go).
//
// The shared context does not end when a request's client goes away, as the
// request's own context would: the request then waits for its write or read
// to finish (or the deadline), as it would have had the client stayed, and
// its answer goes nowhere. A write proposed is not withdrawn by a
// disconnect in any case. Watches still end with their clients (watch.go).
type timeouts struct {
	timeout time.Duration
	mu      sync.Mutex
	ctx     context.Context // the current shared context; nil before the first
	end     time.Time       // ctx's deadline
	// cancel is ctx's, never called: ctx ends at its deadline, when its
	// timer fires and releases it.
	cancel context.CancelFunc
}

// context returns a context that ends no later than timeout after now and
// less than a grain sooner.
func (t *timeouts) context(now time.Time) context.Context {
	deadline := now.Add(t.timeout)
	t.mu.Lock()
	defer t.mu.Unlock()
	// A deadline before the shared one (the clock went back) gets a new
	// context too.
	if t.ctx == nil || t.end.After(deadline) || deadline.Sub(t.end) >= timeoutGrain {
		t.end = deadline
		t.ctx, t.cancel = context.WithDeadline(context.Background(), t.end)
	}
	return t.ctx
}
