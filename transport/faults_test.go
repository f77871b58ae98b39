package transport

import (
	"sync/atomic"
	"testing"
	"time"

	"skiff/raft/raftpb"
)

func heartbeats(from, to uint64, terms ...uint64) []raftpb.Message {
	msgs := make([]raftpb.Message, len(terms))
	for i, term := range terms {
		msgs[i] = raftpb.Message{Type: raftpb.MsgHeartbeat, From: from, To: to, Term: term}
	}
	return msgs
}

// expectNothing checks that r receives nothing for a short while.
func expectNothing(t *testing.T, r *fakeRaft, why string) {
	t.Helper()
	select {
	case m := <-r.msgs:
		t.Fatalf("%s, yet %s arrived", why, describe(&m))
	case <-time.After(100 * time.Millisecond):
	}
}

// TestFilterDropsAndDelays: the Filter hook sees every received message;
// what it drops never reaches raft, and what it delays arrives later.
func TestFilterDropsAndDelays(t *testing.T) {
	checkGoroutines(t)
	b := startMember(t, 2, "", func(c *Config) {
		c.Filter = func(m raftpb.Message) (bool, time.Duration) {
			switch m.Term {
			case 1:
				return true, 0 // dropped
			case 2:
				return false, 200 * time.Millisecond // delayed
			}
			return false, 0
		}
	})
	a := startMember(t, 1, "", nil)
	connect(a, b)
	start := time.Now()
	a.tr.Send(heartbeats(1, 2, 1, 2, 3))
	got := b.raft.receive(t, 2)
	if got[0].Term != 3 || got[1].Term != 2 {
		t.Fatalf("got terms %d, %d; want 3 (undelayed) then 2 (delayed), and 1 dropped", got[0].Term, got[1].Term)
	}
	if waited := time.Since(start); waited < 200*time.Millisecond {
		t.Fatalf("the delayed message arrived after %v, before its 200ms delay", waited)
	}
	expectNothing(t, b.raft, "the filter dropped term 1")
}

// TestBlockPartitionsAndHeals: Block stops traffic in the chosen direction
// only, and Unblock restores it over the same streams.
func TestBlockPartitionsAndHeals(t *testing.T) {
	checkGoroutines(t)
	a, b := startMember(t, 1, "", nil), startMember(t, 2, "", nil)
	connect(a, b)
	a.tr.Send(heartbeats(1, 2, 1))
	b.raft.receive(t, 1)

	// One-way: a no longer hears b, but b still hears a.
	a.tr.Block(2, Inbound)
	b.tr.Send(heartbeats(2, 1, 2))
	a.tr.Send(heartbeats(1, 2, 3))
	if m := b.raft.receive(t, 1)[0]; m.Term != 3 {
		t.Fatalf("b got %s, want term 3", describe(&m))
	}
	expectNothing(t, a.raft, "a blocks inbound traffic from b")

	// Full partition from a's side.
	a.tr.Block(2, Outbound)
	a.tr.Send(heartbeats(1, 2, 4))
	b.tr.Send(heartbeats(2, 1, 5))
	expectNothing(t, b.raft, "a blocks outbound traffic to b")
	expectNothing(t, a.raft, "a blocks inbound traffic from b")
	if a.raft.unreachableCount(2) != 0 {
		t.Fatal("a partition should be silent, like a real network's")
	}

	a.tr.UnblockAll()
	a.tr.Send(heartbeats(1, 2, 6))
	b.tr.Send(heartbeats(2, 1, 7))
	if m := b.raft.receive(t, 1)[0]; m.Term != 6 {
		t.Fatalf("after healing, b got %s", describe(&m))
	}
	if m := a.raft.receive(t, 1)[0]; m.Term != 7 {
		t.Fatalf("after healing, a got %s", describe(&m))
	}
}

// TestBlockedSnapshotFails: a snapshot across a partition is reported
// failed, and one dropped by the receiver's filter is too.
func TestBlockedSnapshotFails(t *testing.T) {
	checkGoroutines(t)
	var dropSnapshots atomic.Bool
	a := startMember(t, 1, "", nil)
	b := startMember(t, 2, "", func(c *Config) {
		c.Filter = func(m raftpb.Message) (bool, time.Duration) {
			return dropSnapshots.Load() && m.Type == raftpb.MsgInstallSnapshot, 0
		}
	})
	connect(a, b)
	expectFailed := func(what string) {
		t.Helper()
		select {
		case r := <-a.raft.snapshots:
			if !r.failed {
				t.Fatalf("%s: snapshot reported delivered", what)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: no snapshot report", what)
		}
	}
	a.tr.Block(2, Outbound)
	a.tr.Send([]raftpb.Message{snapshotMsg(1, 2, 100, 1)})
	expectFailed("blocked outbound")
	a.tr.Unblock(2)
	dropSnapshots.Store(true)
	a.tr.Send([]raftpb.Message{snapshotMsg(1, 2, 100, 1)})
	expectFailed("dropped by the receiver's filter")
	expectNothing(t, b.raft, "the snapshot was dropped")
}
