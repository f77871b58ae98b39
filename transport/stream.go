package transport

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"strconv"
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
// The stream is a POST whose chunked body never ends. The receiver answers
// 200 as soon as it has checked the headers (full duplex), which is when
// the peer counts as active; after that, the response body stays open and
// its end tells the sender that the receiver has gone.
func (p *peer) connectAndStream() error {
	base, ok := p.pickURL()
	if !ok {
		return errNoURLs
	}
	url := joinURL(base, StreamPath)
	// Dialling and the receiver's answer share one deadline.
	ctx, cancel := context.WithTimeout(p.ctx, p.t.cfg.DialTimeout)
	conn, resp, err := p.t.openStream(ctx, url, p.id)
	cancel()
	switch {
	case err != nil && p.ctx.Err() == nil &&
		(errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded)):
		return fmt.Errorf("no answer from %s within %v: %w", url, p.t.cfg.DialTimeout, context.DeadlineExceeded)
	case err != nil:
		return err
	}
	defer conn.Close()
	if resp.StatusCode != http.StatusOK {
		return p.t.refusal(resp, p.id, url)
	}
	// From here the watchdog and the per-write deadlines take over.
	conn.SetReadDeadline(time.Time{})

	p.failing.Store(false)
	p.since.Store(time.Now().UnixNano())
	p.log.Info("stream to peer connected", "url", url)

	watch := p.watchResponse(resp.Body, conn)
	err = p.writeLoop(conn, watch.done)
	if errors.Is(err, errStreamClosed) && watch.err != nil {
		err = watch.err
	}
	return err
}

// openStream dials url and sends the stream's request head, then reads the
// receiver's answer, all within ctx. On success the caller owns conn and
// writes the body's chunks into it itself: no http.Client goroutine, pipe
// or chunked writer sits between the queue and the socket.
func (t *Transport) openStream(ctx context.Context, rawURL string, to uint64) (net.Conn, *http.Response, error) {
	u, err := neturl.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, nil, fmt.Errorf("bad peer URL %q", rawURL)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), map[string]string{"http": "80", "https": "443"}[u.Scheme])
	}
	raw, err := t.dial(ctx, "tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	var conn net.Conn = &deadlineConn{Conn: raw, timeout: t.cfg.WriteTimeout}
	// ctx's deadline bounds the handshake and the answer (and, for the
	// caller, reading a refusal); cancelling ctx ends them at once.
	if d, ok := ctx.Deadline(); ok {
		raw.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Now()) })
	resp, err := t.streamHandshake(ctx, &conn, u, to)
	if !stop() || err != nil {
		conn.Close()
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, nil, err
	}
	return conn, resp, nil
}

// streamHandshake runs TLS if the URL asks for it, writes the request head
// and reads the response head. *conn becomes the TLS connection.
func (t *Transport) streamHandshake(ctx context.Context, conn *net.Conn, u *neturl.URL, to uint64) (*http.Response, error) {
	if u.Scheme == "https" {
		cfg := &tls.Config{}
		if t.cfg.TLS != nil {
			cfg = t.cfg.TLS.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = u.Hostname()
		}
		// HTTP/2 would put its own framing and flow control under the stream.
		cfg.NextProtos = []string{"http/1.1"}
		tc := tls.Client(*conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, err
		}
		*conn = tc
	}
	if _, err := (*conn).Write(t.streamRequestHead(u, to)); err != nil {
		return nil, err
	}
	return http.ReadResponse(bufio.NewReaderSize(*conn, 4096), &http.Request{Method: http.MethodPost})
}

// streamRequestHead is the head of the stream's POST: the raft headers
// every request carries, and a chunked body.
func (t *Transport) streamRequestHead(u *neturl.URL, to uint64) []byte {
	return fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: skiff\r\n"+
		"Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n"+
		"%s: %x\r\n%s: %x\r\n%s: %x\r\n%s: %s\r\n\r\n", u.RequestURI(), u.Host,
		headerClusterID, t.cfg.ClusterID, headerFrom, t.cfg.ID, headerTo, to, headerVersion, t.cfg.Version.Server)
}

// watch is the state of the goroutine that reads the receiver's answer:
// done is closed when the answer ends, and err says why if the receiver
// gave a reason.
type watch struct {
	done chan struct{}
	err  error // set before done is closed
}

// watchResponse reads the receiver's keepalives from the response body in
// a goroutine. done is closed when the response ends or stays silent for
// IdleTimeout (and then conn is closed): either way the receiver is gone.
// A removedByte in the response means the receiver has refused this member
// as removed from the cluster.
func (p *peer) watchResponse(body io.Reader, conn net.Conn) *watch {
	w := &watch{done: make(chan struct{})}
	timeout := p.t.cfg.IdleTimeout
	watchdog := time.AfterFunc(timeout, func() {
		p.log.Warn("stream to peer silent; closing it", "idle-timeout", timeout)
		conn.Close()
	})
	started := p.goTracked(func() {
		defer close(w.done)
		defer watchdog.Stop()
		buf := make([]byte, 64)
		for {
			n, err := body.Read(buf)
			if n > 0 {
				watchdog.Reset(timeout)
				if bytes.IndexByte(buf[:n], removedByte) >= 0 {
					w.err = p.t.removedBy(p.id, "the stream's receiver says so")
					return
				}
			}
			if err != nil {
				return
			}
		}
	})
	if !started {
		watchdog.Stop()
		close(w.done)
	}
	return w
}

// writeLoop writes queued messages into the stream, straight into the
// connection: everything waiting in the queue goes into one chunk of the
// body and one write, and a lone heartbeat goes out at once.
func (p *peer) writeLoop(conn net.Conn, closed <-chan struct{}) error {
	var c chunk
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
				c.reset()
				c.buf = append(c.buf, 0) // an empty frame
				if _, err := conn.Write(c.finish()); err != nil {
					return err
				}
			}
			wrote = false
		case m := <-p.queue:
			if err := p.writeQueued(conn, &c, &m); err != nil {
				return err
			}
			wrote = true
		}
	}
}

// writeQueued writes m and every message already waiting after it. They
// go out as one chunk, in one write, unless they outgrow chunkTarget.
func (p *peer) writeQueued(conn net.Conn, c *chunk, m *raftpb.Message) error {
	var appends, appendBytes uint64 // for the send rate of /v2/stats/self
	add := func(m *raftpb.Message) {
		n := p.appendFrame(c, m)
		if m.Type == raftpb.MsgAppendEntries && n > 0 {
			appends++
			appendBytes += uint64(n)
		}
	}
	defer func() { p.t.appendsSent.add(appends, appendBytes) }()
	c.reset()
	add(m)
	for more := true; more; {
		if c.size() >= chunkTarget {
			if _, err := conn.Write(c.finish()); err != nil {
				return err
			}
			c.shrink()
			c.reset()
		}
		select {
		case m := <-p.queue:
			add(&m)
		default:
			more = false
		}
	}
	if c.size() == 0 {
		return nil // nothing left, or only messages too large to send
	}
	_, err := conn.Write(c.finish())
	c.shrink()
	return err
}

// appendFrame adds m to c as one frame: its length as a uvarint, then its
// encoding. It returns the frame's length, 0 if m was too large to send.
func (p *peer) appendFrame(c *chunk, m *raftpb.Message) int {
	// Encode in place after room for the length, sized for Size (an upper
	// bound); if the real length needs fewer bytes, slide the encoding
	// down, which is cheaper than encoding to a scratch buffer and copying.
	start := len(c.buf)
	room := uvarintLen(uint64(m.Size()))
	c.buf = m.MarshalAppend(append(c.buf, make([]byte, room)...))
	size := len(c.buf) - start - room
	if size > p.t.cfg.MaxMessageSize {
		// The receiver would end the stream over it; drop it alone.
		p.log.Error("dropped a message larger than MaxMessageSize", "msg", describe(m),
			"bytes", size, "limit", p.t.cfg.MaxMessageSize)
		c.buf = c.buf[:start]
		p.drop()
		return 0
	}
	n := binary.PutUvarint(c.buf[start:], uint64(size))
	if n < room {
		copy(c.buf[start+n:], c.buf[start+room:])
		c.buf = c.buf[:len(c.buf)-(room-n)]
	}
	p.stats.msgsSent.Add(1)
	p.stats.bytesSent.Add(uint64(n + size))
	return n + size
}

func uvarintLen(v uint64) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutUvarint(b[:], v)
}

// chunk builds one chunk of the stream's chunked body in place: frames are
// appended after room left for the chunk's size line, which finish fills
// in, so the whole chunk leaves in one write with no copying.
type chunk struct {
	buf []byte
}

// chunkHeadRoom fits the longest size line: 16 hex digits and CRLF.
const chunkHeadRoom = 18

func (c *chunk) reset() {
	if c.buf == nil {
		c.buf = make([]byte, chunkHeadRoom, chunkTarget+4<<10)
	}
	c.buf = c.buf[:chunkHeadRoom]
}

// size is the length of the chunk's data so far.
func (c *chunk) size() int { return len(c.buf) - chunkHeadRoom }

// chunkTarget is the size past which a batch is split into several chunks,
// so that the buffer stays small however long the queue.
const chunkTarget = 64 << 10

// finish returns the chunk as it goes on the wire: size line, data, CRLF.
func (c *chunk) finish() []byte {
	n := len(c.buf) - chunkHeadRoom
	c.buf = append(c.buf, '\r', '\n')
	var line [chunkHeadRoom]byte
	size := strconv.AppendUint(line[:0], uint64(n), 16)
	size = append(size, '\r', '\n')
	start := chunkHeadRoom - len(size)
	copy(c.buf[start:], size)
	return c.buf[start:]
}

// shrink lets go of a buffer grown by an unusually large message.
func (c *chunk) shrink() {
	if cap(c.buf) > 4*chunkTarget {
		c.buf = nil
	}
}

// frameSize is the length on the wire of a frame holding n bytes.
func frameSize(n int) int { return uvarintLen(uint64(n)) + n }

// readFrame reads one frame written by appendFrame, into buf if it is
// large enough. It refuses frames longer than limit, and returns io.EOF
// only at a clean frame boundary.
func readFrame(br *bufio.Reader, limit int, buf []byte) ([]byte, error) {
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
	if uint64(cap(buf)) < size {
		buf = make([]byte, max(size, 128))
	}
	buf = buf[:size]
	if _, err := io.ReadFull(br, buf); err != nil {
		return nil, fmt.Errorf("reading frame of %d bytes: %w", size, io.ErrUnexpectedEOF)
	}
	return buf, nil
}
