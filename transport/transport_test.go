package transport

import (
	"bytes"
	"fmt"
	"testing"

	"skiff/raft/raftpb"
)

// TestMessagesArriveInOrder: two members exchange a thousand messages each
// way, and each side receives the other's in the order they were sent.
func TestMessagesArriveInOrder(t *testing.T) {
	checkGoroutines(t)
	a, b := startMember(t, 1, "", nil), startMember(t, 2, "", nil)
	connect(a, b)
	const n = 1000
	for i := range n {
		a.tr.Send([]raftpb.Message{appendMsg(1, 2, uint64(i), 1, 10)})
		b.tr.Send([]raftpb.Message{{Type: raftpb.MsgHeartbeat, From: 2, To: 1, Term: uint64(i)}})
	}
	for i, m := range b.raft.receive(t, n) {
		if m.From != 1 || m.PrevLogIndex != uint64(i) || len(m.Entries) != 1 {
			t.Fatalf("message %d at b: got %s prev=%d, want AppendEntries prev=%d", i, describe(&m), m.PrevLogIndex, i)
		}
	}
	for i, m := range a.raft.receive(t, n) {
		if m.Type != raftpb.MsgHeartbeat || m.Term != uint64(i) {
			t.Fatalf("message %d at a: got %s, want Heartbeat term=%d", i, describe(&m), i)
		}
	}
	if !a.tr.IsActive(2) || !b.tr.IsActive(1) {
		t.Fatalf("streams should be active: a->b %v, b->a %v", a.tr.IsActive(2), b.tr.IsActive(1))
	}
	st := a.tr.Stats()[2]
	if st.MessagesSent != n || st.MessagesReceived != n || st.BytesSent == 0 || st.ActiveSince.IsZero() {
		t.Fatalf("a's stats for b: %+v", st)
	}
}

// TestThreeMembersEachReceiveTheirOwn: with three members, every message
// reaches exactly its recipient, in order per sender.
func TestThreeMembersEachReceiveTheirOwn(t *testing.T) {
	checkGoroutines(t)
	ms := []*member{startMember(t, 1, "", nil), startMember(t, 2, "", nil), startMember(t, 3, "", nil)}
	connect(ms...)
	const n = 200
	for i := range n {
		for _, from := range ms {
			var batch []raftpb.Message
			for _, to := range ms {
				if to != from {
					batch = append(batch, raftpb.Message{Type: raftpb.MsgHeartbeat, From: from.id, To: to.id, Term: uint64(i)})
				}
			}
			from.tr.Send(batch)
		}
	}
	for _, to := range ms {
		next := map[uint64]uint64{}
		for _, m := range to.raft.receive(t, 2*n) {
			if m.To != to.id || m.From == to.id {
				t.Fatalf("member %d received %s", to.id, describe(&m))
			}
			if m.Term != next[m.From] {
				t.Fatalf("member %d: from %d got term %d, want %d", to.id, m.From, m.Term, next[m.From])
			}
			next[m.From]++
		}
	}
}

// TestLargeAppendsArriveIntact: appends of several megabytes cross the
// stream whole, with heartbeats queued behind them.
func TestLargeAppendsArriveIntact(t *testing.T) {
	checkGoroutines(t)
	a, b := startMember(t, 1, "", nil), startMember(t, 2, "", nil)
	connect(a, b)
	big := appendMsg(1, 2, 7, 64, 64<<10) // 4 MiB of entries
	for i := range big.Entries {
		big.Entries[i].Data[0] = byte(i)
		big.Entries[i].Data[len(big.Entries[i].Data)-1] = byte(i * 3)
	}
	a.tr.Send([]raftpb.Message{big, {Type: raftpb.MsgHeartbeat, From: 1, To: 2}, big})
	got := b.raft.receive(t, 3)
	for _, i := range []int{0, 2} {
		if len(got[i].Entries) != len(big.Entries) {
			t.Fatalf("message %d: %d entries, want %d", i, len(got[i].Entries), len(big.Entries))
		}
		for j, e := range got[i].Entries {
			if e.Index != big.Entries[j].Index || !bytes.Equal(e.Data, big.Entries[j].Data) {
				t.Fatalf("message %d entry %d differs", i, j)
			}
		}
	}
	if got[1].Type != raftpb.MsgHeartbeat {
		t.Fatalf("message 1: got %s, want the heartbeat", describe(&got[1]))
	}
}

// TestOversizedMessageIsDroppedAlone: a message above MaxMessageSize is
// dropped by the sender and reported, and the stream carries on.
func TestOversizedMessageIsDroppedAlone(t *testing.T) {
	checkGoroutines(t)
	small := func(c *Config) { c.MaxMessageSize = 64 << 10 }
	a, b := startMember(t, 1, "", small), startMember(t, 2, "", small)
	connect(a, b)
	a.tr.Send([]raftpb.Message{appendMsg(1, 2, 1, 1, 128<<10), appendMsg(1, 2, 2, 1, 10)})
	if m := b.raft.receive(t, 1)[0]; m.PrevLogIndex != 2 {
		t.Fatalf("got %s prev=%d, want the small append (prev=2)", describe(&m), m.PrevLogIndex)
	}
	waitFor(t, "ReportUnreachable(2)", func() bool { return a.raft.unreachableCount(2) > 0 })
	if s := a.tr.Stats()[2]; s.Dropped != 1 || s.StreamFailures != 0 {
		t.Fatalf("stats %+v, want one drop and no stream failure", s)
	}
}

// TestContextsSurviveLaterFrames: a message's Context aliases the frame it
// was decoded from, and raft keeps it (a heartbeat's answer echoes it, a
// read waits under it), so the receiver must not reuse that frame's buffer
// for the next one. Reusing it once turned a follower's echo of round 82
// into garbage by the time it was sent, and the leader's read waited a
// heartbeat interval more; an overwritten context could even name a newer
// round.
func TestContextsSurviveLaterFrames(t *testing.T) {
	checkGoroutines(t)
	a, b := startMember(t, 1, "", nil), startMember(t, 2, "", nil)
	connect(a, b)
	const n = 200
	for i := range n {
		ctx := fmt.Appendf(nil, "round-%06d", i)
		a.tr.Send([]raftpb.Message{{Type: raftpb.MsgHeartbeat, From: 1, To: 2, Term: 1, Context: ctx}})
	}
	for i, m := range b.raft.receive(t, n) { // every message kept until all have arrived
		if want := fmt.Sprintf("round-%06d", i); string(m.Context) != want {
			t.Fatalf("message %d's context is %q after later frames arrived, want %q", i, m.Context, want)
		}
	}
}
