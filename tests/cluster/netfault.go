package cluster

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"skiff/raft/raftpb"
)

// MessageFaults are per-message faults on the raft streams between
// members: each message (not the keepalives) is dropped, delivered twice or
// delayed at random. A delayed message lets later ones overtake it, so a
// delay also reorders. Snapshots and other peer requests are left alone.
type MessageFaults struct {
	Drop      float64       // share of messages dropped
	Duplicate float64       // share of messages delivered twice
	Delayed   float64       // share of messages delayed
	MaxDelay  time.Duration // a delayed message waits up to this long
	// DuplicateProposals lets Duplicate apply to MsgPropose too. Off by
	// default: a follower's forwarded proposal delivered twice is appended
	// and applied twice, exactly like a client retrying a write, which the
	// v2 API cannot tell apart (etcd's raft behaves the same). The
	// transport never duplicates (one TCP stream, nothing resent), so the
	// default keeps the fault inside what the network can do; turning it
	// on shows the checkers catch a write applied twice.
	DuplicateProposals bool
}

// SetMessageFaults turns per-message faults on for every raft stream into
// every member (nil turns them off). They work below the server, on the
// peer listeners the harness hands in: the listener parses the HTTP stream
// request's chunked body into the transport's frames (a uvarint length and
// a raftpb message) and passes each frame on, twice, later or not at all.
func (c *Cluster) SetMessageFaults(f *MessageFaults) {
	c.faults.Store(f)
}

// MessageFaultStats count what the message faults did, so a test can tell
// that its faults really happened.
type MessageFaultStats struct {
	Passed, Dropped, Duplicated, Delayed uint64
}

// MessageFaultStats returns the counts since the cluster started.
func (c *Cluster) MessageFaultStats() MessageFaultStats {
	c.rngMu.Lock()
	defer c.rngMu.Unlock()
	return c.faultStats
}

// decide draws the fate of one message (a frame's payload): how many
// copies to deliver (0, 1 or 2) and after what delay each.
func (c *Cluster) decide(payload []byte) (copies int, delays [2]time.Duration) {
	f := c.faults.Load()
	c.rngMu.Lock()
	defer c.rngMu.Unlock()
	if f == nil {
		c.faultStats.Passed++
		return 1, delays
	}
	if c.rng.Float64() < f.Drop {
		c.faultStats.Dropped++
		return 0, delays
	}
	c.faultStats.Passed++
	copies = 1
	if c.rng.Float64() < f.Duplicate && (f.DuplicateProposals || !isProposal(payload)) {
		c.faultStats.Duplicated++
		copies = 2
	}
	for i := range copies {
		if f.MaxDelay > 0 && c.rng.Float64() < f.Delayed {
			c.faultStats.Delayed++
			delays[i] = time.Duration(c.rng.Int64N(int64(f.MaxDelay)))
		}
	}
	return copies, delays
}

// isProposal reports whether a frame's payload is a MsgPropose.
func isProposal(payload []byte) bool {
	var m raftpb.Message
	return m.Unmarshal(payload) == nil && m.Type == raftpb.MsgPropose
}

// faultListener wraps a member's peer listener so that its connections go
// through the message faults.
type faultListener struct {
	net.Listener
	c *Cluster
}

func (l *faultListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	fc := &faultConn{Conn: conn, in: newInbox(), c: l.c}
	go fc.pump()
	return fc, nil
}

// faultConn is an accepted peer connection whose incoming bytes are
// rewritten by pump: frames of a raft stream may vanish, repeat or come
// late; everything else passes unchanged.
type faultConn struct {
	net.Conn
	in *inbox
	c  *Cluster

	mu    sync.Mutex
	ended bool // the stream's body ended: late frames are discarded
}

func (fc *faultConn) Read(p []byte) (int, error)        { return fc.in.Read(p) }
func (fc *faultConn) SetReadDeadline(t time.Time) error { fc.in.setDeadline(t); return nil }
func (fc *faultConn) SetDeadline(t time.Time) error {
	fc.in.setDeadline(t)
	return fc.Conn.SetWriteDeadline(t)
}

// pump reads the connection and feeds the inbox until the connection ends.
func (fc *faultConn) pump() {
	br := bufio.NewReaderSize(fc.Conn, 64<<10)
	err := fc.copyRequest(br)
	if err == nil {
		_, err = io.Copy(fc.in, br) // anything after the stream: as is
	}
	if err == nil {
		err = io.EOF
	}
	fc.in.closeWith(err)
}

// copyRequest passes the request head on and, for a raft stream with a
// chunked body, rewrites the body frame by frame.
func (fc *faultConn) copyRequest(br *bufio.Reader) error {
	var stream, chunked bool
	for first := true; ; first = false {
		line, err := br.ReadString('\n')
		if err != nil {
			return err
		}
		fc.in.Write([]byte(line))
		lower := strings.ToLower(line)
		switch {
		case first:
			stream = strings.HasPrefix(line, "POST /raft/stream ")
		case strings.HasPrefix(lower, "transfer-encoding:") && strings.Contains(lower, "chunked"):
			chunked = true
		case line == "\r\n":
			if !stream || !chunked {
				return nil
			}
			return fc.rewriteBody(br)
		}
	}
}

// rewriteBody decodes the chunked body, splits it into frames and emits
// each frame as a chunk of its own, through the faults.
func (fc *faultConn) rewriteBody(br *bufio.Reader) error {
	var pending []byte
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return err
		}
		hex, _, _ := strings.Cut(strings.TrimSpace(line), ";")
		size, err := strconv.ParseUint(hex, 16, 63)
		if err != nil {
			return fmt.Errorf("bad chunk size %q: %w", line, err)
		}
		if size == 0 {
			return fc.endBody(br)
		}
		chunk := make([]byte, size+2) // the data and its CRLF
		if _, err := io.ReadFull(br, chunk); err != nil {
			return err
		}
		pending = append(pending, chunk[:size]...)
		pending = fc.emitFrames(pending)
	}
}

// emitFrames emits every whole frame at the start of buf and returns the
// rest.
func (fc *faultConn) emitFrames(buf []byte) []byte {
	for {
		size, n := binary.Uvarint(buf)
		if n <= 0 || uint64(len(buf)-n) < size {
			return buf
		}
		frame := bytes.Clone(buf[:n+int(size)])
		buf = buf[n+int(size):]
		if size == 0 {
			fc.writeChunk(frame) // keepalive
			continue
		}
		copies, delays := fc.c.decide(frame[n:])
		for i := range copies {
			if delays[i] == 0 {
				fc.writeChunk(frame)
			} else {
				time.AfterFunc(delays[i], func() { fc.writeChunk(frame) })
			}
		}
	}
}

// writeChunk passes one frame on as one chunk, unless the body has ended.
func (fc *faultConn) writeChunk(frame []byte) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if fc.ended {
		return
	}
	out := fmt.Appendf(nil, "%x\r\n", len(frame))
	out = append(out, frame...)
	fc.in.Write(append(out, '\r', '\n'))
}

// endBody passes the last chunk and the trailer on; frames still delayed
// are lost with the stream, as they would be with a broken connection.
func (fc *faultConn) endBody(br *bufio.Reader) error {
	fc.mu.Lock()
	fc.ended = true
	fc.mu.Unlock()
	fc.in.Write([]byte("0\r\n"))
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return err
		}
		fc.in.Write([]byte(line))
		if line == "\r\n" {
			return nil
		}
	}
}

// newFaultRand seeds the message faults' random source.
func newFaultRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x5eed)) }
