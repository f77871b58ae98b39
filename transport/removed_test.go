package transport

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"skiff/raft/raftpb"
)

// TestRemovedWhileStreaming: a member removed while its stream is up is cut
// off at its next message, which raft never sees, and learns from the
// stream itself that it was removed (LocalRemoved names the peer).
func TestRemovedWhileStreaming(t *testing.T) {
	checkGoroutines(t)
	var removed atomic.Bool
	var removedBy atomic.Uint64
	a := startMember(t, 1, "", func(c *Config) {
		c.LocalRemoved = func(peer uint64) { removedBy.Store(peer) }
	})
	b := startMember(t, 2, "", func(c *Config) {
		c.IsRemoved = func(id uint64) bool { return id == 1 && removed.Load() }
	})
	a.tr.AddPeer(2, []string{b.url})
	a.tr.Send([]raftpb.Message{{Type: raftpb.MsgHeartbeat, From: 1, To: 2, Term: 1}})
	b.raft.receive(t, 1)

	// As the server does when it applies the removal.
	removed.Store(true)
	b.tr.RemovePeer(1)
	a.tr.Send([]raftpb.Message{{Type: raftpb.MsgHeartbeat, From: 1, To: 2, Term: 2}})
	waitFor(t, "LocalRemoved", func() bool { return removedBy.Load() == 2 })
	select {
	case m := <-b.raft.msgs:
		t.Fatalf("b delivered %s from a removed member", describe(&m))
	case <-time.After(50 * time.Millisecond):
	}
}

// TestRemovedSenderIsToldInTheStream: the receiver answers an open stream
// whose sender has been removed with removedByte before closing it, so
// that the sender need not reconnect to find out.
func TestRemovedSenderIsToldInTheStream(t *testing.T) {
	checkGoroutines(t)
	var removed atomic.Bool
	b := startMember(t, 2, "", func(c *Config) {
		c.IsRemoved = func(id uint64) bool { return id == 1 && removed.Load() }
	})
	conn, err := net.Dial("tcp", b.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nTransfer-Encoding: chunked\r\n"+
		"%s: %x\r\n%s: 1\r\n%s: 2\r\n\r\n", StreamPath, b.addr, headerClusterID, testClusterID, headerFrom, headerTo)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("stream not accepted: %v %v", resp, err)
	}
	writeChunk := func(m raftpb.Message) {
		enc := m.MarshalAppend(nil)
		frame := append(binary.AppendUvarint(nil, uint64(len(enc))), enc...)
		fmt.Fprintf(conn, "%x\r\n%s\r\n", len(frame), frame)
	}
	writeChunk(raftpb.Message{Type: raftpb.MsgHeartbeat, From: 1, To: 2, Term: 1})
	b.raft.receive(t, 1)

	removed.Store(true)
	b.tr.RemovePeer(1)
	writeChunk(raftpb.Message{Type: raftpb.MsgHeartbeat, From: 1, To: 2, Term: 2})
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	answer, err := io.ReadAll(resp.Body)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("reading the answer: %v", err)
	}
	if !bytes.Contains(answer, []byte{removedByte}) {
		t.Fatalf("answer %q ends without removedByte", answer)
	}
}

// TestSendAsksIsRemovedOncePerRemoval: Send asks IsRemoved about a peer
// once, not per message, and again after any RemovePeer call, which is
// when the server applies a removal.
func TestSendAsksIsRemovedOncePerRemoval(t *testing.T) {
	checkGoroutines(t)
	var removed atomic.Bool
	var asked atomic.Int64
	a := startMember(t, 1, "", func(c *Config) {
		c.IsRemoved = func(id uint64) bool {
			if id != 2 {
				return false
			}
			asked.Add(1)
			return removed.Load()
		}
	})
	b := startMember(t, 2, "", nil)
	a.tr.AddPeer(2, []string{b.url})
	for i := range 10 {
		a.tr.Send([]raftpb.Message{{Type: raftpb.MsgHeartbeat, From: 1, To: 2, Term: uint64(i)}})
	}
	b.raft.receive(t, 10)
	if n := asked.Load(); n != 1 {
		t.Fatalf("IsRemoved asked %d times for 10 messages, want once", n)
	}

	removed.Store(true)
	a.tr.RemovePeer(3) // any removal makes the transport ask again
	a.tr.Send([]raftpb.Message{{Type: raftpb.MsgHeartbeat, From: 1, To: 2, Term: 99}})
	if n := asked.Load(); n != 2 {
		t.Fatalf("IsRemoved asked %d times in all, want a second time after RemovePeer", n)
	}
	select {
	case m := <-b.raft.msgs:
		t.Fatalf("removed member got %s", describe(&m))
	case <-time.After(50 * time.Millisecond):
	}
}
