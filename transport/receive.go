package transport

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"skiff/raft/raftpb"
)

// serveStream reads frames from a peer's stream and hands each message to
// raft, until the sender closes the stream or the transport stops.
func (t *Transport) serveStream(w http.ResponseWriter, r *http.Request) {
	if !t.begin() {
		refuse(w, "transport stopped", http.StatusServiceUnavailable)
		return
	}
	defer t.wg.Done()
	from, ok := t.checkRequest(w, r)
	if !ok {
		return
	}
	rc := http.NewResponseController(w)
	// The stream lives as long as the sender wants: no server timeouts.
	// Errors are ignored because a ResponseWriter that cannot clear them
	// (a test recorder, say) still works for short streams.
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	// HTTP/2 is full duplex already and says so with ErrNotSupported.
	if err := rc.EnableFullDuplex(); err != nil && r.ProtoMajor < 2 {
		refuse(w, "streaming not supported: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
	if err := rc.Flush(); err != nil {
		return
	}

	deadline := &readDeadline{rc: rc, idle: t.cfg.IdleTimeout}
	deadline.touch()
	ctx, done := t.untilStop(r, deadline.stop)
	defer done()
	stopKeepalive := t.sendKeepalives(w, rc)
	defer stopKeepalive()

	log := t.log.With("from", formatID(from))
	log.Debug("inbound stream opened")
	check := &removalCheck{t: t, from: from, gen: t.removals.Load()}
	newBatch := func() error {
		return check.run(deadline.touch())
	}
	err := t.readStream(ctx, from, bufio.NewReaderSize(r.Body, 64<<10), newBatch)
	switch {
	case errors.Is(err, errSenderRemoved):
		log.Warn("closed the stream of a member removed from the cluster")
		// The sender learns it was removed from this byte; without it, it
		// would only find out when it reconnects and is refused.
		stopKeepalive()
		_ = rc.SetWriteDeadline(time.Now().Add(t.cfg.WriteTimeout))
		if _, err := w.Write([]byte{removedByte}); err == nil {
			_ = rc.Flush()
		}
	case errors.Is(err, io.EOF) || ctx.Err() != nil:
		log.Debug("inbound stream closed")
	case errors.Is(err, os.ErrDeadlineExceeded):
		log.Warn("inbound stream silent; closing it", "idle-timeout", t.cfg.IdleTimeout)
	default:
		log.Warn("inbound stream failed", "err", err)
	}
}

var errSenderRemoved = errors.New("the sender was removed from the cluster")

// removalCheck notices that the sender of an open stream has been removed
// from the cluster. IsRemoved may cost a store lookup, so it is asked only
// when RemovePeer has run since the last check (the server calls it when
// it applies a removal) or, in case IsRemoved changes on its own, when the
// caller says a periodic recheck is due.
type removalCheck struct {
	t    *Transport
	from uint64
	gen  uint64 // t.removals when last checked
}

func (c *removalCheck) run(due bool) error {
	if g := c.t.removals.Load(); g != c.gen {
		c.gen = g
		due = true
	}
	if due && c.t.cfg.IsRemoved != nil && c.t.cfg.IsRemoved(c.from) {
		return errSenderRemoved
	}
	return nil
}

// sendKeepalives writes a byte into the response every IdleTimeout/4, so
// the sender can tell a live receiver from a vanished one. The returned
// func stops it and waits; the handler must call it before returning.
func (t *Transport) sendKeepalives(w http.ResponseWriter, rc *http.ResponseController) func() {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(t.cfg.IdleTimeout / 4)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				_ = rc.SetWriteDeadline(time.Now().Add(t.cfg.WriteTimeout))
				if _, err := w.Write([]byte{keepaliveByte}); err != nil {
					return
				}
				if rc.Flush() != nil {
					return
				}
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(stop)
			<-done
		})
	}
}

// readDeadline pushes a stream's read deadline forward as frames arrive,
// so a sender that falls silent (keepalives included) is dropped after
// IdleTimeout, and ends it for good when the transport stops.
type readDeadline struct {
	rc   *http.ResponseController
	idle time.Duration
	last time.Time // of the last extension; used by touch's goroutine only

	mu      sync.Mutex
	stopped bool
}

// touch extends the deadline, at most every idle/4 to keep it cheap, and
// reports whether it did.
func (d *readDeadline) touch() bool {
	now := time.Now()
	if now.Sub(d.last) < d.idle/4 {
		return false
	}
	d.last = now
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.stopped {
		_ = d.rc.SetReadDeadline(now.Add(d.idle))
	}
	return true
}

// stop expires the deadline, so that a blocked read returns at once.
func (d *readDeadline) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopped = true
	_ = d.rc.SetReadDeadline(time.Now())
}

// untilStop returns a context for serving r that ends when the client goes
// away or the transport stops. Stopping also calls onStop, which must
// unblock any read of r.Body (by expiring the connection's read deadline).
func (t *Transport) untilStop(r *http.Request, onStop func()) (context.Context, func()) {
	ctx, cancel := context.WithCancel(r.Context())
	stop := context.AfterFunc(t.ctx, func() {
		cancel()
		onStop()
	})
	return ctx, func() {
		stop()
		cancel()
	}
}

// readStream delivers messages until the stream ends. newBatch runs when a
// frame (keepalives included) arrives after the reader had run out of
// buffered data, before anything in it is handed to raft; an error from
// it ends the stream.
func (t *Transport) readStream(ctx context.Context, from uint64, br *bufio.Reader, newBatch func() error) error {
	stats := t.counters(from)
	var buf []byte                  // reused until a message keeps a reference into it (see raftpb's codec)
	var appends, appendBytes uint64 // in this batch, for the receive rate of /v2/stats/self
	for {
		if appends > 0 && br.Buffered() == 0 {
			t.appendsRecv.add(appends, appendBytes)
			appends, appendBytes = 0, 0
		}
		fresh := br.Buffered() == 0
		frame, err := readFrame(br, t.cfg.MaxMessageSize, buf)
		if err != nil {
			return err
		}
		buf = frame
		if fresh {
			if err := newBatch(); err != nil {
				return err
			}
		}
		if len(frame) == 0 {
			continue // keepalive
		}
		var m raftpb.Message
		if err := m.Unmarshal(frame); err != nil {
			return err
		}
		if m.Entries != nil || m.Snapshot != nil || m.Context != nil {
			// Entry data, snapshot data and the context alias the frame,
			// and raft may keep them (a heartbeat's answer echoes its
			// context, a read waits under it): the next frame needs a
			// buffer of its own.
			buf = nil
		}
		size := uint64(frameSize(len(frame)))
		stats.msgsRecv.Add(1)
		stats.bytesRecv.Add(size)
		if m.Type == raftpb.MsgAppendEntries {
			appends++
			appendBytes += size
		}
		if m.From != from || m.To != t.cfg.ID {
			t.log.Warn("dropped message with wrong addresses", "stream-from", formatID(from), "msg", describe(&m))
			continue
		}
		t.deliver(ctx, m)
	}
}

// admit applies the fault hooks to a received message: it says whether to
// deliver m at all, and after what delay.
func (t *Transport) admit(m raftpb.Message) (ok bool, delay time.Duration) {
	if t.blocked(m.From, Inbound) {
		return false, 0
	}
	if t.cfg.Filter != nil {
		drop, delay := t.cfg.Filter(m)
		return !drop, delay
	}
	return true, 0
}

// deliver passes m to raft, unless a fault hook drops or delays it.
func (t *Transport) deliver(ctx context.Context, m raftpb.Message) {
	ok, delay := t.admit(m)
	if !ok {
		return
	}
	if delay > 0 {
		t.deliverLater(m, delay)
		return
	}
	if err := t.cfg.Raft.Process(ctx, m); err != nil && ctx.Err() == nil {
		t.log.Warn("raft refused a message", "msg", describe(&m), "err", err)
	}
}

// deliverLater hands m to raft after delay, unless the transport stops first.
func (t *Transport) deliverLater(m raftpb.Message, delay time.Duration) {
	if !t.begin() {
		return
	}
	go func() {
		defer t.wg.Done()
		timer := time.NewTimer(delay)
		defer timer.Stop()
		select {
		case <-t.ctx.Done():
		case <-timer.C:
			if err := t.cfg.Raft.Process(t.ctx, m); err != nil && t.ctx.Err() == nil {
				t.log.Warn("raft refused a delayed message", "msg", describe(&m), "err", err)
			}
		}
	}()
}
