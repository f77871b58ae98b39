package raft

import (
	"testing"

	"skiff/raft/raftpb"
)

// Thesis §9.6: "a candidate would first ask other servers whether its log
// was up-to-date enough to get their vote"; the pre-candidate does not
// increment its term, and the voters do not change theirs either.
func TestPreVoteChangesNoTerm(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2, 3}, withPreVote)
	n.Campaign()
	rd := n.ready(t)
	if st := n.Status(); st.Role != RolePreCandidate || st.Term != 0 || !rd.HardState.IsEmpty() {
		t.Fatalf("pre-candidate: %s term=%d hardState=%+v, want PreCandidate term 0 and nothing to persist", st.Role, st.Term, rd.HardState)
	}
	for _, m := range rd.Messages {
		if m.Type != raftpb.MsgPreVote || m.Term != 1 {
			t.Fatalf("pre-candidate sent %s, want PreVote for term 1", DescribeMessage(m))
		}
	}
	voter := newTestNode(t, 2, []uint64{1, 2, 3}, withPreVote)
	voter.step(t, rd.Messages[0])
	ans := voter.msgs(t)
	if st := voter.Status(); st.Term != 0 || st.Vote != 0 || len(ans) != 1 || !ans[0].Success || ans[0].Term != 1 {
		t.Fatalf("voter after a pre-vote: term=%d vote=%d answers %v; want term 0, no vote, a grant for term 1", st.Term, st.Vote, ans)
	}
	n.step(t, ans[0])
	if st := n.Status(); st.Role != RoleCandidate || st.Term != 1 {
		t.Fatalf("pre-candidate with a majority of pre-votes: %s term %d, want Candidate term 1", st.Role, st.Term)
	}
}

// Thesis §9.6: a node that cannot win (its log is behind) never raises its
// term, so when it rejoins it does not disrupt the cluster.
func TestPreVoteRejectedLeavesTermAlone(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2, 3}, withPreVote)
	n.Campaign()
	n.msgs(t)
	// Voters still in term 0 answer with their term, 0.
	n.step(t, raftpb.Message{Type: raftpb.MsgPreVoteResponse, From: 2, To: 1, Term: 0, Success: false})
	n.step(t, raftpb.Message{Type: raftpb.MsgPreVoteResponse, From: 3, To: 1, Term: 0, Success: false})
	if st := n.Status(); st.Role != RoleFollower || st.Term != 0 {
		t.Fatalf("pre-candidate rejected by a majority: %s term %d, want Follower term 0", st.Role, st.Term)
	}
}

// Thesis §6.2: "a leader steps down if an election timeout elapses without
// a successful round of heartbeats to a majority of its cluster".
func TestCheckQuorumLeaderStepsDownWithoutMajority(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2, 3}, withCheckQuorum)
	n.becomeLeaderByVotes(t)
	n.ticks(n.r.electionTick - 1)
	n.step(t, raftpb.Message{Type: raftpb.MsgHeartbeatResponse, From: 2, To: 1, Term: 1})
	n.Tick()
	if n.Status().Role != RoleLeader {
		t.Fatalf("leader stepped down although node 2 answered (with itself, a majority)")
	}
	n.ticks(n.r.electionTick)
	if st := n.Status(); st.Role != RoleFollower || st.Term != 1 {
		t.Fatalf("leader with no answers for an election timeout: %s term %d, want Follower term 1", st.Role, st.Term)
	}
}

// Thesis §4.2.3: "if a server receives a RequestVote request within the
// minimum election timeout of hearing from a current leader, it does not
// update its term or grant its vote".
func TestVoteRequestIgnoredWhileLeaderIsHeardFrom(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2, 3}, withCheckQuorum)
	n.step(t, raftpb.Message{Type: raftpb.MsgHeartbeat, From: 2, To: 1, Term: 1})
	n.msgs(t)
	n.step(t, raftpb.Message{Type: raftpb.MsgRequestVote, From: 3, To: 1, Term: 2, LastLogIndex: 9, LastLogTerm: 1})
	if st := n.Status(); st.Term != 1 || st.Vote != 0 || len(n.msgs(t)) != 0 {
		t.Fatalf("vote request while the leader is live: term=%d vote=%d, want it ignored", st.Term, st.Vote)
	}
	// After an election timeout without the leader, the request is heard.
	n.ticks(n.r.electionTick)
	n.msgs(t)
	n.step(t, raftpb.Message{Type: raftpb.MsgRequestVote, From: 3, To: 1, Term: 9, LastLogIndex: 9, LastLogTerm: 1})
	if st := n.Status(); st.Term != 9 || st.Vote != 3 {
		t.Fatalf("vote request after the lease: term=%d vote=%d, want term 9 vote 3", st.Term, st.Vote)
	}
}

// A node whose term ran ahead while it was cut off (no Pre-Vote) answers a
// stale leader's append with its term, so the leader steps down and the
// cluster can elect again instead of ignoring that node forever.
func TestStaleLeaderLearnsHigherTermFromAppendAnswer(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2, 3}, withCheckQuorum, withLog(1, 5))
	n.step(t, raftpb.Message{Type: raftpb.MsgAppendEntries, From: 2, To: 1, Term: 3, PrevLogIndex: 2, PrevLogTerm: 3})
	ms := n.msgs(t)
	if len(ms) != 1 || ms[0].Type != raftpb.MsgAppendEntriesResponse || ms[0].Term != 5 {
		t.Fatalf("answers to a stale append: %v, want one AppendEntriesResponse carrying term 5", ms)
	}
}
