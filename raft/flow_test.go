package raft

import (
	"errors"
	"testing"

	"skiff/raft/raftpb"
)

// Thesis §10.2.1: "the leader can write to its disk in parallel with
// replicating to the followers" — but it counts itself only once its write
// is durable, i.e. after the driver's Advance.
func TestLeaderCountsItselfOnlyAfterPersisting(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2, 3})
	n.becomeLeaderByVotes(t)
	n.Propose([]byte("x"))
	rd := n.Ready() // entry 2 handed out, not yet durable
	n.step(t, raftpb.Message{Type: raftpb.MsgAppendEntriesResponse, From: 2, To: 1, Term: 1, Success: true, MatchIndex: 1})
	if c := n.Status().Commit; c != 1 {
		t.Fatalf("commit=%d, want 1 (the no-op, held by 1 and 2)", c)
	}
	n.step(t, raftpb.Message{Type: raftpb.MsgAppendEntriesResponse, From: 2, To: 1, Term: 1, Success: true, MatchIndex: 2})
	if c := n.Status().Commit; c != 1 {
		t.Fatalf("entry 2 committed with only node 2's copy durable (commit=%d)", c)
	}
	n.storage.Append(rd.Entries)
	n.Advance()
	if c := n.Status().Commit; c != 2 {
		t.Fatalf("after the leader's own write: commit=%d, want 2", c)
	}
}

// A single-node cluster commits its own entries once they are durable.
func TestSingleNodeCommitsAfterPersisting(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1})
	n.Campaign()
	n.msgs(t)
	if err := n.Propose([]byte("solo")); err != nil {
		t.Fatal(err)
	}
	var applied []raftpb.Entry
	for n.HasReady() {
		applied = append(applied, n.ready(t).CommittedEntries...)
	}
	if len(applied) != 1 || string(applied[0].Data) != "solo" {
		t.Fatalf("applied %v, want the proposal", applied)
	}
}

// Thesis §10.2.2 (batching): proposals made between two Readys travel to
// each follower in one AppendEntries.
func TestProposalsBatchIntoOneAppend(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2, 3})
	n.becomeLeaderByVotes(t)
	for _, id := range []uint64{2, 3} { // followers acknowledge the no-op: StateReplicate
		n.step(t, raftpb.Message{Type: raftpb.MsgAppendEntriesResponse, From: id, To: 1, Term: 1, Success: true, MatchIndex: 1})
	}
	n.msgs(t)
	for i := 0; i < 100; i++ {
		n.Propose([]byte("p"))
	}
	apps := filter(n.msgs(t), raftpb.MsgAppendEntries)
	if len(apps) != 2 || len(apps[0].Entries) != 100 || len(apps[1].Entries) != 100 {
		t.Fatalf("100 proposals went out as %d appends, want one per follower with 100 entries each", len(apps))
	}
}

// Flow control: a follower in StateProbe gets one append at a time; in
// StateReplicate the leader pipelines up to MaxInflightMsgs.
func TestProbeSendsOneAppendThenReplicatePipelines(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2}, func(c *Config) { c.MaxInflightMsgs = 3; c.MaxSizePerMsg = 1 })
	n.becomeLeaderByVotes(t)
	n.Propose([]byte("a"))
	if apps := filter(n.msgs(t), raftpb.MsgAppendEntries); len(apps) != 0 {
		t.Fatalf("sent %d appends to a probing follower with one unanswered; want 0", len(apps))
	}
	n.step(t, raftpb.Message{Type: raftpb.MsgAppendEntriesResponse, From: 2, To: 1, Term: 1, Success: true, MatchIndex: 1})
	for i := 0; i < 5; i++ {
		n.Propose([]byte("b"))
	}
	apps := filter(n.msgs(t), raftpb.MsgAppendEntries)
	if len(apps) != 3 {
		t.Fatalf("replicating follower got %d appends, want the window of 3", len(apps))
	}
	if pr := n.Status().Progress[2]; pr.State != StateReplicate || pr.Next != 5 {
		t.Fatalf("progress %+v, want Replicate with next=5", pr)
	}
	n.ReportUnreachable(2)
	if pr := n.Status().Progress[2]; pr.State != StateProbe || pr.Next != 2 {
		t.Fatalf("after ReportUnreachable: %+v, want Probe from next=2", pr)
	}
}

// MaxInflightBytes bounds the bytes in flight to one follower.
func TestInflightBytesLimit(t *testing.T) {
	in := newInflights(100, 10)
	in.add(1, 6)
	if in.full() {
		t.Fatal("full at 6 of 10 bytes")
	}
	in.add(2, 6)
	if !in.full() {
		t.Fatal("not full at 12 of 10 bytes")
	}
	in.freeLE(1)
	if in.full() || in.count != 1 || in.bytes != 6 {
		t.Fatalf("after freeing index 1: count=%d bytes=%d", in.count, in.bytes)
	}
}

// A follower forwards proposals to the leader it knows; with no leader the
// proposal fails with ErrProposalDropped.
func TestFollowerForwardsProposalsOrDropsThem(t *testing.T) {
	n := newTestNode(t, 2, []uint64{1, 2, 3})
	if err := n.Propose([]byte("x")); !errors.Is(err, ErrProposalDropped) {
		t.Fatalf("proposal with no leader: %v, want ErrProposalDropped", err)
	}
	n.step(t, raftpb.Message{Type: raftpb.MsgHeartbeat, From: 1, To: 2, Term: 1})
	n.msgs(t)
	if err := n.Propose([]byte("x")); err != nil {
		t.Fatal(err)
	}
	ms := n.msgs(t)
	if len(ms) != 1 || ms[0].Type != raftpb.MsgPropose || ms[0].To != 1 || string(ms[0].Entries[0].Data) != "x" {
		t.Fatalf("forwarded %v, want a Propose to 1", ms)
	}
}

// A node restarted from its storage resumes with the persisted term, vote,
// commit and log, and hands out committed entries after Config.Applied.
func TestRestartFromStorage(t *testing.T) {
	s := NewMemoryStorage()
	s.Bootstrap(raftpb.ConfState{Voters: []uint64{1, 2, 3}})
	s.Append([]raftpb.Entry{{Index: 1, Term: 1}, {Index: 2, Term: 2, Data: []byte("a")}, {Index: 3, Term: 2, Data: []byte("b")}})
	s.SetHardState(raftpb.HardState{Term: 2, Vote: 3, Commit: 3})
	n, err := New(Config{ID: 1, Storage: s, Applied: 2})
	if err != nil {
		t.Fatal(err)
	}
	st := n.Status()
	if st.Term != 2 || st.Vote != 3 || st.Commit != 3 || st.LastIndex != 3 || st.Applied != 2 {
		t.Fatalf("restarted: %+v", st)
	}
	rd := n.Ready()
	if len(rd.CommittedEntries) != 1 || string(rd.CommittedEntries[0].Data) != "b" || len(rd.Entries) != 0 {
		t.Fatalf("first Ready after restart: entries=%v committed=%v, want only entry 3 to apply", rd.Entries, rd.CommittedEntries)
	}
}

// Config.validate names what is wrong.
func TestConfigValidation(t *testing.T) {
	s := NewMemoryStorage()
	for _, c := range []Config{
		{Storage: s},
		{ID: 1},
		{ID: 1, Storage: s, ElectionTick: 2, HeartbeatTick: 2},
		{ID: 1, Storage: s, MaxInflightMsgs: -1},
	} {
		if _, err := New(c); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("New(%+v) = %v, want ErrInvalidConfig", c, err)
		}
	}
	s.SetHardState(raftpb.HardState{Term: 1, Commit: 5})
	if _, err := New(Config{ID: 1, Storage: s}); err == nil {
		t.Error("New accepted a commit index past the stored log")
	}
}

// Step refuses messages that cannot come from a peer.
func TestStepRejectsMalformedMessages(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2, 3})
	for _, m := range []raftpb.Message{
		{Type: raftpb.MsgAppendEntries, From: 2, To: 1},         // no term
		{Type: raftpb.MsgPropose, To: 1},                        // no sender
		{Type: raftpb.MessageType(99), From: 2, To: 1, Term: 1}, // unknown
	} {
		if err := n.Step(m); err == nil {
			t.Errorf("Step(%s) accepted", DescribeMessage(m))
		}
	}
}

// A driver may call Ready again before Advance (and Step in between); each
// entry is handed out once, and one Advance acknowledges both batches.
func TestReadyTwiceBeforeAdvance(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1})
	n.Campaign()
	n.msgs(t)
	n.Propose([]byte("a"))
	rd1 := n.Ready()
	n.Propose([]byte("b"))
	rd2 := n.Ready()
	if len(rd1.Entries) != 1 || len(rd2.Entries) != 1 || string(rd2.Entries[0].Data) != "b" {
		t.Fatalf("entries handed out: %v then %v, want a then b", rd1.Entries, rd2.Entries)
	}
	n.storage.Append(rd1.Entries)
	n.storage.Append(rd2.Entries)
	n.Advance()
	var applied []string
	for n.HasReady() {
		rd := n.ready(t)
		if len(rd.Entries) != 0 {
			t.Fatalf("entries handed out again: %v", rd.Entries)
		}
		for _, e := range rd.CommittedEntries {
			applied = append(applied, string(e.Data))
		}
	}
	if len(applied) != 2 || applied[0] != "a" || applied[1] != "b" {
		t.Fatalf("applied %q, want [a b]", applied)
	}
}
