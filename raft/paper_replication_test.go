package raft

import (
	"testing"

	"skiff/raft/raftpb"
)

// §5.2 and §8: a leader sends heartbeats (AppendEntries carrying no
// entries) to maintain its authority; skiff sends them every HeartbeatTick.
func TestLeaderSendsHeartbeatsEveryHeartbeatTick(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2, 3}, func(c *Config) { c.HeartbeatTick = 2 })
	n.becomeLeaderByVotes(t)
	n.Tick()
	if hb := filter(n.msgs(t), raftpb.MsgHeartbeat); len(hb) != 0 {
		t.Fatalf("heartbeat after 1 of 2 ticks: %v", hb)
	}
	n.Tick()
	if hb := filter(n.msgs(t), raftpb.MsgHeartbeat); len(hb) != 2 {
		t.Fatalf("after 2 ticks want 2 heartbeats, got %v", hb)
	}
}

// §5.4.2 and §8: "each leader commit a blank no-op entry into the log at
// the start of its term".
func TestNewLeaderAppendsEmptyEntryOfItsTerm(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2, 3}, withLog(1, 1))
	n.Campaign()
	n.step(t, raftpb.Message{Type: raftpb.MsgRequestVoteResponse, From: 2, To: 1, Term: 2, Success: true})
	rd := n.ready(t)
	if len(rd.Entries) != 1 || rd.Entries[0].Term != 2 || rd.Entries[0].Index != 3 || len(rd.Entries[0].Data) != 0 {
		t.Fatalf("new leader persisted %v, want the empty entry 2/3", rd.Entries)
	}
	for _, m := range filter(rd.Messages, raftpb.MsgAppendEntries) {
		if m.PrevLogIndex != 2 || m.PrevLogTerm != 1 || len(m.Entries) != 1 {
			t.Errorf("first append %s: want prevLogIndex=2 prevLogTerm=1 and the empty entry", DescribeMessage(m))
		}
	}
}

// §5.3: "When the entry has been safely replicated, the leader applies the
// entry": a majority of matchIndex (itself included) commits it.
func TestLeaderCommitsEntryReplicatedOnMajority(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2, 3, 4, 5})
	n.becomeLeaderByVotes(t)
	n.Propose([]byte("x"))
	n.msgs(t)
	for _, from := range []uint64{2, 3} {
		if n.Status().Commit != 0 {
			t.Fatalf("committed before a majority replicated")
		}
		n.step(t, raftpb.Message{Type: raftpb.MsgAppendEntriesResponse, From: from, To: 1, Term: 1, Success: true, MatchIndex: 2})
	}
	rd := n.ready(t)
	if rd.HardState.Commit != 2 || len(rd.CommittedEntries) != 2 || string(rd.CommittedEntries[1].Data) != "x" {
		t.Fatalf("after 3 of 5 hold entry 2: commit=%d committed=%v", rd.HardState.Commit, rd.CommittedEntries)
	}
}

// §5.4.2 (Figure 8): "Raft never commits log entries from previous terms by
// counting replicas. Only log entries from the leader's current term are
// committed by counting replicas."
func TestLeaderOnlyCommitsEntriesFromItsOwnTerm(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2, 3}, withLog(1, 2)) // entry 2 is of term 2
	n.Campaign()                                             // term 3
	n.step(t, raftpb.Message{Type: raftpb.MsgRequestVoteResponse, From: 2, To: 1, Term: 3, Success: true})
	n.msgs(t)
	// A follower now holds entry 2 (term 2) but not the leader's entry 3.
	n.step(t, raftpb.Message{Type: raftpb.MsgAppendEntriesResponse, From: 2, To: 1, Term: 3, Success: true, MatchIndex: 2})
	if c := n.Status().Commit; c != 0 {
		t.Fatalf("leader of term 3 committed index %d (term 2) by counting replicas", c)
	}
	n.step(t, raftpb.Message{Type: raftpb.MsgAppendEntriesResponse, From: 2, To: 1, Term: 3, Success: true, MatchIndex: 3})
	if c := n.Status().Commit; c != 3 {
		t.Fatalf("commit %d once its own entry 3 is on a majority, want 3 (and 2 with it)", c)
	}
}

// Figure 2, AppendEntries receiver rule 2: "Reply false if log doesn't
// contain an entry at prevLogIndex whose term matches prevLogTerm".
func TestFollowerRejectsAppendWithMismatchedPrevLog(t *testing.T) {
	for _, tt := range []struct{ prevIndex, prevTerm uint64 }{{3, 1}, {2, 1}, {5, 2}} {
		n := newTestNode(t, 1, []uint64{1, 2, 3}, withLog(1, 2, 2))
		n.step(t, raftpb.Message{Type: raftpb.MsgAppendEntries, From: 2, To: 1, Term: 2,
			PrevLogIndex: tt.prevIndex, PrevLogTerm: tt.prevTerm, Entries: []raftpb.Entry{{Index: tt.prevIndex + 1, Term: 2}}})
		ms := n.msgs(t)
		if len(ms) != 1 || ms[0].Success || ms[0].MatchIndex != tt.prevIndex {
			t.Errorf("prev %d/%d against log [1 2 2]: %v, want a rejection of index %d", tt.prevIndex, tt.prevTerm, ms, tt.prevIndex)
		}
		if n.Status().LastIndex != 3 {
			t.Errorf("a rejected append changed the log")
		}
	}
}

// Figure 2, rule 3: "If an existing entry conflicts with a new one (same
// index but different terms), delete the existing entry and all that follow
// it" — and only then: a stale append whose entries all match truncates
// nothing.
func TestFollowerTruncatesOnlyOnRealConflict(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2, 3}, withLog(1, 1, 1, 1))
	// A delayed append carrying only entries 2 and 3 (which match).
	n.step(t, raftpb.Message{Type: raftpb.MsgAppendEntries, From: 2, To: 1, Term: 1, PrevLogIndex: 1, PrevLogTerm: 1,
		Entries: ents(1, 1, 1)[1:]})
	if st := n.Status(); st.LastIndex != 4 {
		t.Fatalf("a matching stale append truncated the log to %d", st.LastIndex)
	}
	n.msgs(t)
	// Entry 3 of term 2 conflicts: 3 and 4 go, the new 3 stays.
	n.step(t, raftpb.Message{Type: raftpb.MsgAppendEntries, From: 2, To: 1, Term: 2, PrevLogIndex: 2, PrevLogTerm: 1,
		Entries: []raftpb.Entry{{Index: 3, Term: 2, Data: []byte("new")}}})
	rd := n.ready(t)
	if st := n.Status(); st.LastIndex != 3 || st.LastTerm != 2 {
		t.Fatalf("after a conflict at 3: last=%d/%d, want 3/term 2", st.LastIndex, st.LastTerm)
	}
	if len(rd.Entries) != 1 || rd.Entries[0].Index != 3 {
		t.Fatalf("driver was asked to persist %v, want the new entry 3 (replacing 3 and 4)", rd.Entries)
	}
	if last, _ := n.storage.LastIndex(); last != 3 {
		t.Fatalf("storage still holds up to %d after the replacement", last)
	}
}

// Figure 2, rule 5: "If leaderCommit > commitIndex, set commitIndex =
// min(leaderCommit, index of last new entry)" — skiff uses the last index
// this append verified, so a follower with a longer (unverified) log never
// commits past what the leader vouched for.
func TestFollowerCommitsOnlyWhatTheAppendVerified(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2, 3}, withLog(1, 1, 1, 1, 1))
	n.step(t, raftpb.Message{Type: raftpb.MsgAppendEntries, From: 2, To: 1, Term: 1, PrevLogIndex: 2, PrevLogTerm: 1,
		LeaderCommit: 5})
	if c := n.Status().Commit; c != 2 {
		t.Fatalf("commit=%d after an append verifying up to 2 with leaderCommit 5, want 2", c)
	}
}

// End of §5.3: "the follower can include the term of the conflicting entry
// and the first index it stores for that term"; skiff's term-aware hint
// lets the leader skip a long divergent tail in one round trip.
func TestLeaderBacktracksOverDivergentTailInOneRoundTrip(t *testing.T) {
	// Leader's log: 1 1 1 4 4 4 4 4 4 4 (10 entries). Follower: 1 1 1 2 2 2 3 3 3 3 3 3 3 3 3.
	leader := newTestNode(t, 1, []uint64{1, 2, 3}, withLog(1, 1, 1, 4, 4, 4, 4, 4, 4, 4))
	follower := newTestNode(t, 2, []uint64{1, 2, 3}, withLog(1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3))
	leader.Campaign()
	leader.step(t, raftpb.Message{Type: raftpb.MsgRequestVoteResponse, From: 3, To: 1, Term: 5, Success: true})
	appends, rounds := filter(leader.msgs(t), raftpb.MsgAppendEntries), 0
	for ; rounds < 10; rounds++ {
		var toFollower []raftpb.Message
		for _, m := range appends {
			if m.To == 2 {
				toFollower = append(toFollower, m)
			}
		}
		if len(toFollower) == 0 {
			break
		}
		for _, m := range toFollower {
			follower.step(t, m)
		}
		appends = nil
		for _, resp := range follower.msgs(t) {
			leader.step(t, resp)
		}
		appends = filter(leader.msgs(t), raftpb.MsgAppendEntries)
		if leader.r.prs.progress[2].Match == 11 {
			break
		}
	}
	if m := leader.r.prs.progress[2].Match; m != 11 {
		t.Fatalf("follower match=%d after %d rounds, want 11", m, rounds)
	}
	if rounds > 2 {
		t.Fatalf("took %d rejected round trips to cross a 12-entry divergent tail, want at most 2", rounds)
	}
}

// §5.3 (Figure 3, Leader Append-Only): "a leader never overwrites or
// deletes entries in its log; it only appends new entries" — even when a
// follower (or a delayed message) claims another entry at the same index.
func TestLeaderNeverOverwritesItsLog(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2, 3}, withLog(1, 1))
	n.becomeLeaderByVotes(t)
	before := n.Status()
	n.step(t, raftpb.Message{Type: raftpb.MsgAppendEntriesResponse, From: 2, To: 1, Term: before.Term,
		MatchIndex: 2, ConflictIndex: 1, ConflictTerm: 1})
	n.msgs(t)
	after := n.Status()
	if after.LastIndex != before.LastIndex || after.LastTerm != before.LastTerm || after.Role != RoleLeader {
		t.Fatalf("leader log changed from %d/%d to %d/%d after a rejection", before.LastTerm, before.LastIndex, after.LastTerm, after.LastIndex)
	}
	for i, e := range n.storage.ents[1:] {
		if e.Index != uint64(i+1) {
			t.Fatalf("leader's stored log is not contiguous: %v", n.storage.ents)
		}
	}
}

// §5.1: "If a candidate or leader discovers that its term is out of date,
// it immediately reverts to follower state" — also from a response.
func TestLeaderStepsDownOnHigherTermResponse(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2, 3})
	n.becomeLeaderByVotes(t)
	n.step(t, raftpb.Message{Type: raftpb.MsgAppendEntriesResponse, From: 2, To: 1, Term: 7})
	if st := n.Status(); st.Role != RoleFollower || st.Term != 7 || st.Vote != 0 {
		t.Fatalf("leader after a term-7 answer: %s term=%d vote=%d, want Follower term 7 with no vote", st.Role, st.Term, st.Vote)
	}
}

// §5.2: a follower "remains in follower state as long as it receives valid
// RPCs from a leader or candidate": a heartbeat and a granted vote restart
// the election timer; a rejected vote request does not.
func TestHeartbeatsAndGrantedVotesResetTheElectionTimer(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2, 3}, withLog(1, 1))
	n.ticks(5)
	n.step(t, raftpb.Message{Type: raftpb.MsgRequestVote, From: 3, To: 1, Term: 2, LastLogIndex: 2, LastLogTerm: 1})
	n.ticks(5) // the request above had a higher term, which restarts the timer anyway
	n.step(t, raftpb.Message{Type: raftpb.MsgRequestVote, From: 2, To: 1, Term: 2, LastLogIndex: 9, LastLogTerm: 9})
	if e := n.r.electionElapsed; e != 5 {
		t.Fatalf("a rejected vote request (already voted for 3) moved the timer to %d, want 5", e)
	}
	n.step(t, raftpb.Message{Type: raftpb.MsgRequestVote, From: 3, To: 1, Term: 2, LastLogIndex: 2, LastLogTerm: 1})
	if e := n.r.electionElapsed; e != 0 {
		t.Fatalf("a granted vote left the timer at %d, want 0", e)
	}
	n.ticks(5)
	n.step(t, raftpb.Message{Type: raftpb.MsgHeartbeat, From: 3, To: 1, Term: 2})
	if st := n.Status(); n.r.electionElapsed != 0 || st.Lead != 3 {
		t.Fatalf("after a heartbeat: timer=%d lead=%d, want 0 and 3", n.r.electionElapsed, st.Lead)
	}
}
