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
	if !timer.Stop() && err != nil {
		return fmt.Errorf("no answer from %s within %v: %w", url, p.t.cfg.DialTimeout, err)
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return p.t.refusal(resp, p.id, url)
	}

	p.failing.Store(false)
	p.since.Store(time.Now().UnixNano())
	p.log.Info("stream to peer connected", "url", url)

	closed := make(chan struct{})
	p.goTracked(func() {
		io.Copy(io.Discard, resp.Body) // returns when either side ends the stream
		close(closed)
	})
	err = p.writeLoop(pw, closed)
	cancel()
	pw.CloseWithError(err)
	return err
}

// writeLoop writes queued messages into the stream. When several are
// waiting it writes them all and flushes once; a lone heartbeat is flushed
// at once.
func (p *peer) writeLoop(w io.Writer, closed <-chan struct{}) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var scratch []byte
	for {
		select {
		case <-p.ctx.Done():
			return p.ctx.Err()
		case <-closed:
			return errStreamClosed
		case <-p.reconnect:
			return errURLsChanged
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
		}
	}
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
