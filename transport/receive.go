package transport

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
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
	if err := rc.EnableFullDuplex(); err != nil {
		refuse(w, "streaming not supported: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
	if err := rc.Flush(); err != nil {
		return
	}

	ctx, done := t.untilStop(r, rc)
	defer done()

	log := t.log.With("from", formatID(from))
	log.Debug("inbound stream opened")
	err := t.readStream(ctx, from, bufio.NewReaderSize(r.Body, 64<<10))
	switch {
	case errors.Is(err, io.EOF) || ctx.Err() != nil:
		log.Debug("inbound stream closed")
	default:
		log.Warn("inbound stream failed", "err", err)
	}
}

// untilStop returns a context for serving r that ends when the client goes
// away or the transport stops. Stopping also expires the connection's read
// deadline, so that a read of r.Body blocked on a silent peer returns.
func (t *Transport) untilStop(r *http.Request, rc *http.ResponseController) (context.Context, func()) {
	ctx, cancel := context.WithCancel(r.Context())
	stop := context.AfterFunc(t.ctx, func() {
		cancel()
		_ = rc.SetReadDeadline(time.Now())
	})
	return ctx, func() {
		stop()
		cancel()
	}
}

// readStream delivers messages until the stream ends.
func (t *Transport) readStream(ctx context.Context, from uint64, br *bufio.Reader) error {
	stats := t.counters(from)
	for {
		frame, err := readFrame(br, t.cfg.MaxMessageSize)
		if err != nil {
			return err
		}
		var m raftpb.Message
		if err := m.Unmarshal(frame); err != nil {
			return err
		}
		stats.msgsRecv.Add(1)
		stats.bytesRecv.Add(uint64(frameSize(len(frame))))
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
