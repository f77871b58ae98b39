package transport

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"skiff/raft/raftpb"
)

// peer is the sending side of the transport for one remote member: a
// bounded queue, the goroutine that keeps a stream to the member open and
// writes the queue into it, and the goroutine that reports losses to raft.
type peer struct {
	t     *Transport
	id    uint64
	log   *slog.Logger
	stats *counters

	queue       chan raftpb.Message
	unreachable chan struct{} // capacity 1: pending ReportUnreachable calls coalesce
	reconnect   chan struct{} // capacity 1: the URLs changed

	ctx    context.Context
	cancel context.CancelFunc

	// since is when the stream connected, in Unix nanoseconds; 0 while it
	// is down. failing is set after a failed attempt and cleared when a
	// stream connects: while it is set, Send drops at once instead of
	// queueing messages that would go out stale.
	since   atomic.Int64
	failing atomic.Bool
	// keptAt is 1 + t.removals when IsRemoved last said the peer was not
	// removed (0: not asked yet); see removed.
	keptAt atomic.Uint64

	mu      sync.Mutex
	urls    []string
	next    int  // index in urls of the next URL to try
	stopped bool // set by stop; no goroutine may start after it
	wg      sync.WaitGroup
}

func newPeer(t *Transport, id uint64, urls []string, stats *counters) *peer {
	ctx, cancel := context.WithCancel(t.ctx)
	p := &peer{
		t:           t,
		id:          id,
		log:         t.log.With("peer", fmt.Sprintf("%x", id)),
		stats:       stats,
		queue:       make(chan raftpb.Message, t.cfg.QueueSize),
		unreachable: make(chan struct{}, 1),
		reconnect:   make(chan struct{}, 1),
		ctx:         ctx,
		cancel:      cancel,
		urls:        slices.Clone(urls),
	}
	p.goTracked(p.run)
	p.goTracked(p.reportLoop)
	return p
}

// goTracked runs f in a goroutine that stop waits for, unless the peer has
// already stopped.
func (p *peer) goTracked(f func()) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return false
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		f()
	}()
	return true
}

// stop ends the peer's goroutines and waits for them.
func (p *peer) stop() {
	p.mu.Lock()
	p.stopped = true
	p.mu.Unlock()
	p.cancel()
	p.wg.Wait()
	p.since.Store(0)
}

// send queues m for the stream, or hands a snapshot to its own goroutine.
// It never blocks and never calls into raft.
func (p *peer) send(m *raftpb.Message) {
	if m.Type == raftpb.MsgInstallSnapshot {
		snap := *m
		p.goTracked(func() { p.sendSnapshot(&snap) })
		return
	}
	if p.t.blocked(p.id, Outbound) {
		p.stats.dropped.Add(1)
		return
	}
	if p.failing.Load() {
		p.drop()
		return
	}
	select {
	case p.queue <- *m:
	default:
		p.drop()
	}
}

// removed reports whether Config.IsRemoved says the peer was removed. A
// "no" is kept until the next RemovePeer call (for any member): IsRemoved
// may cost a store lookup, too much for every message Send sees, and the
// server calls RemovePeer whenever it applies a removal.
func (p *peer) removed() bool {
	gen := p.t.removals.Load() + 1
	if p.keptAt.Load() == gen {
		return false
	}
	if p.t.cfg.IsRemoved(p.id) {
		return true
	}
	p.keptAt.Store(gen)
	return false
}

// drop counts a lost message and asks the report loop to tell raft.
func (p *peer) drop() {
	p.stats.dropped.Add(1)
	p.markUnreachable()
}

func (p *peer) markUnreachable() {
	select {
	case p.unreachable <- struct{}{}:
	default:
	}
}

// reportLoop calls Raft.ReportUnreachable for losses flagged by send and
// by the stream, outside the caller's goroutine (invariant 1).
func (p *peer) reportLoop() {
	for {
		select {
		case <-p.ctx.Done():
			return
		case <-p.unreachable:
			p.t.cfg.Raft.ReportUnreachable(p.id)
		}
	}
}

// drainQueue drops every queued message, after the stream they were meant
// for has failed.
func (p *peer) drainQueue() {
	for {
		select {
		case <-p.queue:
			p.stats.dropped.Add(1)
		default:
			return
		}
	}
}

func (p *peer) setURLs(urls []string) {
	p.mu.Lock()
	changed := !slices.Equal(p.urls, urls)
	p.urls = slices.Clone(urls)
	p.next = 0
	p.mu.Unlock()
	if changed {
		select {
		case p.reconnect <- struct{}{}:
		default:
		}
	}
}

// pickURL returns the URL to try next and moves on, so that consecutive
// failures walk through all of the peer's URLs.
func (p *peer) pickURL() (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.urls) == 0 {
		return "", false
	}
	u := p.urls[p.next%len(p.urls)]
	p.next++
	return u, true
}

func (p *peer) activeSince() time.Time {
	if ns := p.since.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// run keeps a stream to the peer open until the peer stops, reconnecting
// with exponential backoff after each failure.
func (p *peer) run() {
	backoff := p.t.cfg.BackoffMin
	lastErr := "" // logged at Warn or Error once, then at Debug while it repeats
	for p.ctx.Err() == nil {
		err := p.connectAndStream()
		if p.ctx.Err() != nil {
			return
		}
		up := p.since.Swap(0) != 0
		p.failing.Store(true)
		p.drainQueue()
		p.markUnreachable()
		p.stats.failures.Add(1)
		p.logFailure(err, up || err.Error() != lastErr)
		lastErr = err.Error()
		if up {
			backoff = p.t.cfg.BackoffMin
		}
		if refusedPermanently(err) {
			backoff = p.t.cfg.BackoffMax
		}
		p.sleep(jitter(backoff))
		backoff = min(2*backoff, p.t.cfg.BackoffMax)
	}
}

// logFailure logs a failed stream: refusals that need an operator (another
// cluster, a removed member) at Error, others at Warn, and repeats of the
// same failure only at Debug so a dead peer does not flood the log.
func (p *peer) logFailure(err error, news bool) {
	switch {
	case !news:
		p.log.Debug("stream to peer failed again", "err", err)
	case refusedPermanently(err):
		p.log.Error("peer refused this member; retrying slowly", "err", err)
	default:
		p.log.Warn("stream to peer failed; retrying", "err", err)
	}
}

// sleep waits for d, or less if the peer stops or its URLs change.
func (p *peer) sleep(d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-p.ctx.Done():
	case <-p.reconnect:
	case <-timer.C:
	}
}

// jitter spreads d over [d/2, d), so that members restarted together do
// not reconnect in lockstep.
func jitter(d time.Duration) time.Duration {
	half := int64(d / 2)
	if half <= 0 {
		return d
	}
	return time.Duration(half + rand.Int64N(half))
}
