package raft

import (
	"errors"
	"testing"

	"skiff/raft/raftpb"
)

// drain handles Ready until there is none and returns the messages and the
// read states it carried.
func (tn *testNode) drain(t testing.TB) ([]raftpb.Message, []ReadState) {
	t.Helper()
	var msgs []raftpb.Message
	var reads []ReadState
	for tn.HasReady() {
		rd := tn.ready(t)
		msgs = append(msgs, rd.Messages...)
		reads = append(reads, rd.ReadStates...)
	}
	return msgs, reads
}

// ackAppends answers every AppendEntries in ms with success.
func (tn *testNode) ackAppends(t testing.TB, ms []raftpb.Message) {
	t.Helper()
	for _, m := range filter(ms, raftpb.MsgAppendEntries) {
		tn.step(t, raftpb.Message{Type: raftpb.MsgAppendEntriesResponse, From: m.To, To: m.From,
			Term: m.Term, Success: true, MatchIndex: m.PrevLogIndex + uint64(len(m.Entries))})
	}
}

// ackHeartbeats answers the heartbeats in ms that go to one of from.
func (tn *testNode) ackHeartbeats(t testing.TB, ms []raftpb.Message, from ...uint64) {
	t.Helper()
	for _, m := range filter(ms, raftpb.MsgHeartbeat) {
		for _, id := range from {
			if m.To == id {
				tn.step(t, raftpb.Message{Type: raftpb.MsgHeartbeatResponse, From: id, To: m.From,
					Term: m.Term, Context: m.Context})
			}
		}
	}
}

// newLeaderOf3 returns node 1 as the leader of {1,2,3} that has not yet
// committed its empty entry, and the AppendEntries carrying it.
func newLeaderOf3(t *testing.T, mods ...func(*Config)) (*testNode, []raftpb.Message) {
	n := newTestNode(t, 1, []uint64{1, 2, 3}, mods...)
	if err := n.Campaign(); err != nil {
		t.Fatal(err)
	}
	n.drain(t)
	for _, id := range []uint64{2, 3} {
		n.step(t, raftpb.Message{Type: raftpb.MsgRequestVoteResponse, From: id, To: 1, Term: n.r.term, Success: true})
	}
	msgs, _ := n.drain(t)
	return n, msgs
}

// readyLeaderOf3 returns node 1 as the leader of {1,2,3} that has
// committed its empty entry, so it can serve reads.
func readyLeaderOf3(t *testing.T) *testNode {
	n, apps := newLeaderOf3(t)
	n.ackAppends(t, apps)
	n.drain(t)
	return n
}

// Thesis §6.4 step 1: "If the leader has not yet marked an entry from its
// current term committed, it waits until it has done so." A read asked
// right after an election must not get the old, possibly stale, commit
// index.
func TestReadIndexWaitsForLeaderToCommitInItsTerm(t *testing.T) {
	n, apps := newLeaderOf3(t)
	if err := n.ReadIndex([]byte("r1")); err != nil {
		t.Fatal(err)
	}
	msgs, reads := n.drain(t)
	if len(reads) != 0 || len(filter(msgs, raftpb.MsgHeartbeat)) != 0 {
		t.Fatalf("leader answered %v or started a round (%d heartbeats) before committing in its term", reads, len(msgs))
	}
	n.ackAppends(t, apps)
	msgs, reads = n.drain(t)
	if len(reads) != 0 {
		t.Fatalf("leader answered %v without confirming its leadership", reads)
	}
	hbs := filter(msgs, raftpb.MsgHeartbeat)
	if len(hbs) != 2 || len(hbs[0].Context) != 8 {
		t.Fatalf("want one round of 2 heartbeats with a round id, got %v", msgs)
	}
	n.ackHeartbeats(t, hbs, 2)
	_, reads = n.drain(t)
	if len(reads) != 1 || reads[0].Index != 1 || string(reads[0].RequestCtx) != "r1" {
		t.Fatalf("read states %v, want [r1@1] (the empty entry of the leader's term)", reads)
	}
}

// Thesis §6.4: reads that arrive together share one heartbeat round.
func TestReadIndexBatchesReadsIntoOneRound(t *testing.T) {
	n := readyLeaderOf3(t)
	for _, ctx := range []string{"a", "b", "c"} {
		n.ReadIndex([]byte(ctx))
	}
	msgs, _ := n.drain(t)
	hbs := filter(msgs, raftpb.MsgHeartbeat)
	if len(hbs) != 2 {
		t.Fatalf("three reads sent %d heartbeats, want one round (2)", len(hbs))
	}
	n.ackHeartbeats(t, hbs, 3)
	_, reads := n.drain(t)
	if len(reads) != 3 || string(reads[0].RequestCtx) != "a" || string(reads[2].RequestCtx) != "c" {
		t.Fatalf("read states %v, want a, b, c in order", reads)
	}
}

// One round at a time: reads that arrive while a round is out wait, and go
// together in the next round, which starts once the first is confirmed and
// takes the commit index of that moment. Answers to the first round do not
// confirm the second: they were sent before its read index was chosen.
func TestReadIndexReadsDuringRoundWaitForNext(t *testing.T) {
	n := readyLeaderOf3(t)
	n.ReadIndex([]byte("first"))
	first, _ := n.drain(t)
	n.ReadIndex([]byte("second"))
	n.ReadIndex([]byte("third"))
	if err := n.Propose([]byte("w")); err != nil {
		t.Fatal(err)
	}
	msgs, reads := n.drain(t)
	if hbs := filter(msgs, raftpb.MsgHeartbeat); len(hbs) != 0 || len(reads) != 0 {
		t.Fatalf("reads during a round started another (%v) or were answered (%v)", hbs, reads)
	}
	n.ackAppends(t, msgs) // commits "w" at index 2
	n.drain(t)
	n.ackHeartbeats(t, first, 2)
	msgs, reads = n.drain(t)
	if len(reads) != 1 || string(reads[0].RequestCtx) != "first" || reads[0].Index != 1 {
		t.Fatalf("read states %v, want [first@1]: the index when its round started", reads)
	}
	second := filter(msgs, raftpb.MsgHeartbeat)
	if len(second) != 2 || string(second[0].Context) == string(first[0].Context) {
		t.Fatalf("after the first round, sent %v; want one new round for the waiting reads", msgs)
	}
	n.ackHeartbeats(t, first, 2, 3) // late answers to the first round
	if _, reads := n.drain(t); len(reads) != 0 {
		t.Fatalf("answers to the first round released %v", reads)
	}
	n.ackHeartbeats(t, second, 3)
	_, reads = n.drain(t)
	if len(reads) != 2 || string(reads[0].RequestCtx) != "second" || string(reads[1].RequestCtx) != "third" ||
		reads[0].Index != 2 || reads[1].Index != 2 {
		t.Fatalf("read states %v, want [second@2 third@2]", reads)
	}
}

// A round whose heartbeats are lost does not strand its reads, nor those
// waiting behind it: the next periodic heartbeats carry its id, and their
// answers confirm it.
func TestReadIndexLostRoundRetriedByHeartbeat(t *testing.T) {
	n := readyLeaderOf3(t)
	n.ReadIndex([]byte("lost"))
	lost, _ := n.drain(t) // never delivered
	n.ReadIndex([]byte("behind"))
	n.drain(t)
	n.ticks(n.r.heartbeatTick)
	msgs, _ := n.drain(t)
	hbs := filter(msgs, raftpb.MsgHeartbeat)
	if len(hbs) != 2 || string(hbs[0].Context) != string(lost[0].Context) || string(hbs[1].Context) != string(lost[0].Context) {
		t.Fatalf("periodic heartbeats %v, want both carrying the lost round's id %v", hbs, lost[0].Context)
	}
	n.ackHeartbeats(t, hbs, 2)
	msgs, reads := n.drain(t)
	if len(reads) != 1 || string(reads[0].RequestCtx) != "lost" {
		t.Fatalf("read states %v, want [lost]", reads)
	}
	n.ackHeartbeats(t, msgs, 3)
	if _, reads = n.drain(t); len(reads) != 1 || string(reads[0].RequestCtx) != "behind" {
		t.Fatalf("read states %v, want [behind]", reads)
	}
}

// A follower forwards the read to the leader and passes on its answer.
func TestReadIndexFollowerForwardsToLeader(t *testing.T) {
	f := newTestNode(t, 2, []uint64{1, 2, 3})
	if err := f.ReadIndex([]byte("x")); !errors.Is(err, ErrProposalDropped) {
		t.Fatalf("read with no leader known: %v, want ErrProposalDropped", err)
	}
	f.step(t, raftpb.Message{Type: raftpb.MsgHeartbeat, From: 1, To: 2, Term: 1})
	f.drain(t)
	f.ReadIndex([]byte("x"))
	f.ReadIndex([]byte("y"))
	msgs, _ := f.drain(t)
	fw := filter(msgs, raftpb.MsgReadIndex)
	if len(fw) != 1 || fw[0].To != 1 || len(fw[0].Entries) != 2 || string(fw[0].Entries[1].Data) != "y" {
		t.Fatalf("follower sent %v, want one ReadIndex to 1 carrying x and y", msgs)
	}

	l := readyLeaderOf3(t)
	fw[0].Term = l.r.term
	l.step(t, fw[0])
	msgs, _ = l.drain(t)
	l.ackHeartbeats(t, msgs, 3)
	msgs, reads := l.drain(t)
	resp := filter(msgs, raftpb.MsgReadIndexResponse)
	if len(reads) != 0 || len(resp) != 1 || resp[0].To != 2 || resp[0].ReadIndex != 1 || len(resp[0].Entries) != 2 {
		t.Fatalf("leader answered forwarded reads with %v (local read states %v), want one ReadIndexResponse to 2 at 1 for both", msgs, reads)
	}
	f.step(t, resp[0])
	if _, reads := f.drain(t); len(reads) != 2 || reads[0].Index != 1 || string(reads[1].RequestCtx) != "y" {
		t.Fatalf("follower's read states %v, want [x@1 y@1]", reads)
	}
}

// A leader deposed before its round is confirmed answers nothing: a newer
// leader may already have committed writes it does not know.
func TestReadIndexDeposedLeaderNeverAnswers(t *testing.T) {
	n := readyLeaderOf3(t)
	n.ReadIndex([]byte("r"))
	hbs, _ := n.drain(t)
	n.step(t, raftpb.Message{Type: raftpb.MsgAppendEntries, From: 2, To: 1, Term: n.r.term + 1,
		PrevLogIndex: 1, PrevLogTerm: 1})
	n.ackHeartbeats(t, hbs, 2, 3)
	if _, reads := n.drain(t); len(reads) != 0 {
		t.Fatalf("deposed leader answered %v", reads)
	}
}

// A single voter is its own quorum: it answers once it has committed in
// its term, without messages.
func TestReadIndexSingleVoterAnswersAtOnce(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1})
	n.Campaign()
	n.drain(t)
	n.ReadIndex([]byte("r"))
	if _, reads := n.drain(t); len(reads) != 1 || reads[0].Index != 1 {
		t.Fatalf("single voter's read states %v, want [r@1]", reads)
	}
}

// Thesis §6.4.1: with the lease option the leader answers without a
// round; the option needs check-quorum.
func TestReadIndexLeaseBased(t *testing.T) {
	lease := func(c *Config) { c.ReadOnlyLeaseBased = true }
	if _, err := New(Config{ID: 1, Storage: NewMemoryStorage(), ReadOnlyLeaseBased: true, DisableCheckQuorum: true}); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("lease reads without check-quorum: %v, want ErrInvalidConfig", err)
	}
	n, apps := newLeaderOf3(t, withCheckQuorum, lease)
	n.ackAppends(t, apps)
	n.drain(t)
	n.ReadIndex([]byte("r"))
	msgs, reads := n.drain(t)
	if len(reads) != 1 || len(filter(msgs, raftpb.MsgHeartbeat)) != 0 {
		t.Fatalf("lease read: states %v, %d heartbeats; want an answer and no round", reads, len(msgs))
	}
	// Half an election timeout without answers: the lease is gone, and
	// the read waits for a round.
	n.ticks(n.r.electionTick / 2)
	n.drain(t)
	n.ReadIndex([]byte("r2"))
	msgs, reads = n.drain(t)
	if len(reads) != 0 || len(filter(msgs, raftpb.MsgHeartbeat)) == 0 {
		t.Fatalf("read outside the lease: states %v, messages %v; want a heartbeat round", reads, msgs)
	}
}
