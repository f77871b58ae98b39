package transport

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"skiff/raft/raftpb"
)

var (
	errStreamClosed = errors.New("peer closed the stream")
	errURLsChanged  = errors.New("peer URLs changed")
	errNoURLs       = errors.New("peer has no URLs")
)

// connectAndStream opens one stream to the peer and writes queued messages
// into it until the stream fails or the peer stops.
//
// The stream is a POST whose body never ends. The receiver answers 200 as
// soon as it has checked the headers (full duplex), which is when the peer
// counts as active; after that, the response body stays open and its end
// tells the sender that the receiver has gone.
func (p *peer) connectAndStream() error {
	url, ok := p.pickURL()
	if !ok {
		return errNoURLs
	}
	url = joinURL(url, StreamPath)
	ctx, cancel := context.WithCancel(p.ctx)
	defer cancel()
	body, pw := io.Pipe()
	defer pw.Close()
	// http.Transport waits for the body's reader to return before it gives
	// up on a cancelled request, so cancelling must also end the body.
	stopBody := context.AfterFunc(ctx, func() { pw.CloseWithError(ctx.Err()) })
	defer stopBody()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, body)
	if err != nil {
		return fmt.Errorf("bad peer URL: %w", err)
	}
	p.t.setHeaders(req, p.id)
	req.Header.Set("Content-Type", "application/octet-stream")

	// Dialling and the receiver's answer share one deadline.
	timer := time.AfterFunc(p.t.cfg.DialTimeout, cancel)
	resp, err := p.t.client.Do(req)
	timedOut := !timer.Stop()
	if err == nil {
		defer resp.Body.Close()
	}
	switch {
	case timedOut && p.ctx.Err() == nil:
		return fmt.Errorf("no answer from %s within %v: %w", url, p.t.cfg.DialTimeout, context.DeadlineExceeded)
	case err != nil:
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return p.t.refusal(resp, p.id, url)
	}

	p.failing.Store(false)
	p.since.Store(time.Now().UnixNano())
	p.log.Info("stream to peer connected", "url", url)

	idle := p.watchResponse(resp.Body, cancel)
	err = p.writeLoop(pw, idle)
	cancel()
	pw.CloseWithError(err)
	return err
}

// watchResponse reads the receiver's keepalives from the response body in
// a goroutine. The returned channel is closed when the response ends or
// stays silent for IdleTimeout (and then the stream is cancelled): either
// way the receiver is gone.
func (p *peer) watchResponse(body io.Reader, cancel context.CancelFunc) <-chan struct{} {
	closed := make(chan struct{})
	timeout := p.t.cfg.IdleTimeout
	watchdog := time.AfterFunc(timeout, func() {
		p.log.Warn("stream to peer silent; closing it", "idle-timeout", timeout)
		cancel()
	})
	started := p.goTracked(func() {
		defer close(closed)
		defer watchdog.Stop()
		buf := make([]byte, 64)
		for {
			n, err := body.Read(buf)
			if n > 0 {
				watchdog.Reset(timeout)
			}
			if err != nil {
				return
			}
		}
	})
	if !started {
		watchdog.Stop()
		close(closed)
	}
	return closed
}

// writeLoop writes queued messages into the stream. When several are
// waiting it writes them all and flushes once; a lone heartbeat is flushed
// at once.
func (p *peer) writeLoop(w io.Writer, closed <-chan struct{}) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var scratch []byte
	keepalive := time.NewTicker(p.t.cfg.IdleTimeout / 4)
	defer keepalive.Stop()
	wrote := false // since the last tick
	for {
		select {
		case <-p.ctx.Done():
			return p.ctx.Err()
		case <-closed:
			return errStreamClosed
		case <-p.reconnect:
			return errURLsChanged
		case <-keepalive.C:
			if !wrote {
				if err := writeKeepalive(bw); err != nil {
					return err
				}
			}
			wrote = false
		case m := <-p.queue:
			var err error
			if scratch, err = p.writeFrame(bw, &m, scratch); err != nil {
				return err
			}
			if err := p.writeQueued(bw, scratch); err != nil {
				return err
			}
			if err := bw.Flush(); err != nil {
				return err
			}
			wrote = true
		}
	}
}

// writeKeepalive writes an empty frame, which the receiver skips, and
// flushes it. No message encodes to zero bytes, so it is unambiguous.
func writeKeepalive(bw *bufio.Writer) error {
	if err := bw.WriteByte(0); err != nil {
		return err
	}
	return bw.Flush()
}

// writeQueued writes every message already waiting in the queue.
func (p *peer) writeQueued(bw *bufio.Writer, scratch []byte) error {
	for {
		select {
		case m := <-p.queue:
			var err error
			if scratch, err = p.writeFrame(bw, &m, scratch); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

// writeFrame writes m as one frame: its length as a uvarint, then its
// encoding. scratch is reused between calls to hold the encoding.
func (p *peer) writeFrame(bw *bufio.Writer, m *raftpb.Message, scratch []byte) ([]byte, error) {
	scratch = m.MarshalAppend(scratch[:0])
	if len(scratch) > p.t.cfg.MaxMessageSize {
		// The receiver would end the stream over it; drop it alone.
		p.log.Error("dropped a message larger than MaxMessageSize", "msg", describe(m),
			"bytes", len(scratch), "limit", p.t.cfg.MaxMessageSize)
		p.drop()
		return scratch, nil
	}
	// The length goes straight into bufio's buffer: no allocation.
	hdr := binary.AppendUvarint(bw.AvailableBuffer(), uint64(len(scratch)))
	if _, err := bw.Write(hdr); err != nil {
		return scratch, err
	}
	if _, err := bw.Write(scratch); err != nil {
		return scratch, err
	}
	p.stats.msgsSent.Add(1)
	p.stats.bytesSent.Add(uint64(len(hdr) + len(scratch)))
	return scratch, nil
}

// frameSize is the length on the wire of a frame holding n bytes.
func frameSize(n int) int {
	var hdr [binary.MaxVarintLen64]byte
	return binary.PutUvarint(hdr[:], uint64(n)) + n
}

// readFrame reads one frame written by writeFrame. It refuses frames
// longer than limit, and returns io.EOF only at a clean frame boundary.
func readFrame(br *bufio.Reader, limit int) ([]byte, error) {
	size, err := binary.ReadUvarint(br)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, err
		}
		return nil, fmt.Errorf("reading frame length: %w", err)
	}
	if size > uint64(limit) {
		return nil, fmt.Errorf("frame of %d bytes exceeds the limit of %d bytes", size, limit)
	}
	buf := make([]byte, size)
	if _, err := io.ReadFull(br, buf); err != nil {
		return nil, fmt.Errorf("reading frame of %d bytes: %w", size, io.ErrUnexpectedEOF)
	}
	return buf, nil
}
