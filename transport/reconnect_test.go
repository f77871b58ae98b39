package transport

import (
	"sync"
	"testing"
	"time"

	"skiff/raft/raftpb"
)

// TestDownPeerIsReportedAndStreamReconnects: when a peer goes down, raft
// hears it is unreachable and sends to it are dropped; when it comes back
// on the same address, the stream reconnects by itself and messages flow.
func TestDownPeerIsReportedAndStreamReconnects(t *testing.T) {
	checkGoroutines(t)
	a, b := startMember(t, 1, "", nil), startMember(t, 2, "", nil)
	connect(a, b)
	hb := []raftpb.Message{{Type: raftpb.MsgHeartbeat, From: 1, To: 2, Term: 1}}
	a.tr.Send(hb)
	b.raft.receive(t, 1)
	firstSince := a.tr.ActiveSince(2)

	// b goes down: a's stream breaks and raft is told.
	addr := b.addr
	b.stop()
	waitFor(t, "a to notice b is down", func() bool { return !a.tr.IsActive(2) })
	waitFor(t, "ReportUnreachable(2)", func() bool { return a.raft.unreachableCount(2) > 0 })
	before := a.tr.Stats()[2].Dropped
	a.tr.Send(hb)
	waitFor(t, "the send to a down peer to be dropped", func() bool { return a.tr.Stats()[2].Dropped > before })

	// b comes back on the same address: the stream reconnects.
	b2 := startMember(t, 2, addr, nil)
	waitFor(t, "the stream to reconnect", func() bool { return a.tr.IsActive(2) })
	if since := a.tr.ActiveSince(2); !since.After(firstSince) {
		t.Fatalf("ActiveSince did not move on reconnect: %v then %v", firstSince, since)
	}
	a.tr.Send([]raftpb.Message{{Type: raftpb.MsgHeartbeat, From: 1, To: 2, Term: 9}})
	if m := b2.raft.receive(t, 1)[0]; m.Term != 9 {
		t.Fatalf("after reconnecting, got %s", describe(&m))
	}
	if f := a.tr.Stats()[2].StreamFailures; f == 0 {
		t.Fatal("no stream failure counted")
	}
}

// TestFullQueueDropsAndReports: Send never blocks; when the queue is full
// the message is dropped and raft hears the peer is unreachable.
func TestFullQueueDropsAndReports(t *testing.T) {
	checkGoroutines(t)
	// The peer's URL points nowhere that answers quickly: nothing drains
	// the queue of two.
	a := startMember(t, 1, "", func(c *Config) { c.QueueSize = 2 })
	a.tr.AddPeer(2, []string{"http://192.0.2.1:9"}) // TEST-NET-1, never routed
	msgs := make([]raftpb.Message, 10)
	for i := range msgs {
		msgs[i] = raftpb.Message{Type: raftpb.MsgHeartbeat, From: 1, To: 2}
	}
	a.tr.Send(msgs) // must return at once
	if d := a.tr.Stats()[2].Dropped; d < 8 {
		t.Fatalf("dropped %d messages, want at least 8 of 10 with a queue of 2", d)
	}
	waitFor(t, "ReportUnreachable(2)", func() bool { return a.raft.unreachableCount(2) > 0 })
}

// TestRemovedPeerGetsNothing: after RemovePeer, and for a member the
// server says was removed, Send drops messages; the peer's goroutines end.
func TestRemovedPeerGetsNothing(t *testing.T) {
	checkGoroutines(t)
	var removed sync.Map // member ID -> true
	a := startMember(t, 1, "", func(c *Config) {
		c.IsRemoved = func(id uint64) bool { _, ok := removed.Load(id); return ok }
	})
	b, c := startMember(t, 2, "", nil), startMember(t, 3, "", nil)
	connect(a, b, c)
	a.tr.RemovePeer(2)
	removed.Store(uint64(3), true)
	a.tr.Send([]raftpb.Message{{Type: raftpb.MsgHeartbeat, From: 1, To: 2}, {Type: raftpb.MsgHeartbeat, From: 1, To: 3}})
	removed.Delete(uint64(3))
	a.tr.Send([]raftpb.Message{{Type: raftpb.MsgHeartbeat, From: 1, To: 3, Term: 5}})
	if m := c.raft.receive(t, 1)[0]; m.Term != 5 {
		t.Fatalf("c got %s, want only the message sent while it was not removed", describe(&m))
	}
	select {
	case m := <-b.raft.msgs:
		t.Fatalf("removed peer b got %s", describe(&m))
	default:
	}
	if a.tr.IsActive(2) {
		t.Fatal("removed peer still active")
	}
}

// blockingRaft's ReportUnreachable blocks until released, like a raft loop
// that is busy (or is the very goroutine calling Send).
type blockingRaft struct {
	*fakeRaft
	release chan struct{}
}

func (r blockingRaft) ReportUnreachable(id uint64) {
	<-r.release
	r.fakeRaft.ReportUnreachable(id)
}

// TestSendNeverWaitsForRaft: Send returns even when raft's
// ReportUnreachable would block, because it is called from another
// goroutine (Transport invariant 1).
func TestSendNeverWaitsForRaft(t *testing.T) {
	checkGoroutines(t)
	r := blockingRaft{newFakeRaft(), make(chan struct{})}
	a := startMember(t, 1, "", func(c *Config) { c.Raft = r; c.QueueSize = 1 })
	a.tr.AddPeer(2, []string{"http://192.0.2.1:9"}) // never answers
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		for range 100 {
			a.tr.Send(heartbeats(1, 2, 1, 2, 3))
		}
	}()
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Fatal("Send blocked on ReportUnreachable")
	}
	close(r.release)
	waitFor(t, "the report once raft is free", func() bool { return r.unreachableCount(2) > 0 })
}
