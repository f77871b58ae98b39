package raft

import (
	"testing"

	"skiff/raft/raftpb"
)

// §5.1: "Servers start up as followers" (and §5.2 "When servers start up,
// they begin as followers").
func TestServersStartAsFollowers(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2, 3})
	if st := n.Status(); st.Role != RoleFollower || st.Term != 0 || st.Lead != 0 {
		t.Fatalf("fresh node: %+v, want a follower in term 0 with no leader", st)
	}
}

// §5.1: "If a server receives a request with a stale term number, it rejects
// the request" — and "if one server's current term is smaller than the
// other's, then it updates its current term to the larger value. If a
// candidate or leader discovers that its term is out of date, it
// immediately reverts to follower state."
func TestHigherTermMakesAnyRoleAFollower(t *testing.T) {
	for _, role := range []Role{RoleFollower, RoleCandidate, RoleLeader} {
		n := newTestNode(t, 1, []uint64{1, 2, 3})
		switch role {
		case RoleCandidate:
			n.Campaign()
		case RoleLeader:
			n.becomeLeaderByVotes(t)
		}
		n.step(t, raftpb.Message{Type: raftpb.MsgAppendEntries, From: 2, To: 1, Term: 5})
		if st := n.Status(); st.Role != RoleFollower || st.Term != 5 || st.Lead != 2 {
			t.Errorf("%s after an append of term 5: %s term=%d lead=%d, want Follower term=5 lead=2",
				role, st.Role, st.Term, st.Lead)
		}
	}
}

// §5.1: a request with a stale term is rejected; nothing about the
// receiver changes. (With Pre-Vote and check-quorum off there is no reply.)
func TestStaleTermMessageIsIgnored(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2, 3}, withLog(1, 2))
	n.step(t, raftpb.Message{Type: raftpb.MsgAppendEntries, From: 2, To: 1, Term: 1, PrevLogIndex: 1, PrevLogTerm: 1,
		Entries: []raftpb.Entry{{Index: 2, Term: 1, Data: []byte("stale")}}})
	if st := n.Status(); st.LastIndex != 2 || st.LastTerm != 2 || st.Term != 2 || st.Lead != 0 {
		t.Fatalf("stale append changed state: %+v", st)
	}
	if ms := n.msgs(t); len(ms) != 0 {
		t.Fatalf("stale append was answered: %v", ms)
	}
}

// §5.2: "If a follower receives no communication over a period of time
// called the election timeout, then it ... begins an election": it
// increments its term, votes for itself and issues RequestVote to every
// other server.
func TestFollowerStartsElectionAfterElectionTimeout(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2, 3}, withLog(1, 1))
	n.ticks(2 * n.r.electionTick)
	st := n.Status()
	if st.Role != RoleCandidate || st.Term != 2 || st.Vote != 1 {
		t.Fatalf("after 2 election timeouts: %s term=%d vote=%d, want Candidate term=2 vote=1", st.Role, st.Term, st.Vote)
	}
	rd := n.ready(t)
	if rd.HardState.Term != 2 || rd.HardState.Vote != 1 || !rd.MustSync {
		t.Fatalf("the new term and vote must be persisted (synced) with the requests: %+v", rd)
	}
	votes := filter(rd.Messages, raftpb.MsgRequestVote)
	if len(votes) != 2 || votes[0].To != 2 || votes[1].To != 3 {
		t.Fatalf("vote requests: %v, want one to 2 and one to 3", votes)
	}
	for _, m := range votes {
		if m.Term != 2 || m.LastLogIndex != 2 || m.LastLogTerm != 1 {
			t.Errorf("RequestVote %s: want term=2 lastLogIndex=2 lastLogTerm=1", DescribeMessage(m))
		}
	}
}

// §5.2: "Raft uses randomized election timeouts ... chosen randomly from a
// fixed interval". skiff draws from [ElectionTick, 2*ElectionTick).
func TestElectionTimeoutIsRandomizedWithinOneTimeout(t *testing.T) {
	seen := map[int]bool{}
	for id := uint64(1); id <= 200; id++ {
		n := newTestNode(t, id, []uint64{id})
		ticks := 0
		for n.Status().Role == RoleFollower {
			n.Tick()
			ticks++
		}
		if ticks < 10 || ticks >= 20 {
			t.Fatalf("node %d campaigned after %d ticks, outside [10, 20)", id, ticks)
		}
		seen[ticks] = true
	}
	if len(seen) < 8 {
		t.Fatalf("only %d distinct timeouts over 200 nodes; not randomized enough: %v", len(seen), seen)
	}
}

// §5.2: "A candidate wins an election if it receives votes from a majority
// of the servers in the full cluster for the same term"; a majority of
// rejections ends the election.
func TestCandidateNeedsMajorityToWin(t *testing.T) {
	tests := []struct {
		size        int
		grant, deny int
		want        Role
	}{
		{1, 0, 0, RoleLeader},
		{3, 1, 0, RoleLeader},
		{3, 0, 1, RoleCandidate},
		{3, 0, 2, RoleFollower},
		{5, 1, 1, RoleCandidate},
		{5, 2, 0, RoleLeader},
		{5, 0, 3, RoleFollower},
	}
	for _, tt := range tests {
		voters := make([]uint64, tt.size)
		for i := range voters {
			voters[i] = uint64(i + 1)
		}
		n := newTestNode(t, 1, voters)
		n.Campaign()
		from := uint64(2)
		for i := 0; i < tt.grant+tt.deny; i++ {
			n.step(t, raftpb.Message{Type: raftpb.MsgRequestVoteResponse, From: from, To: 1, Term: 1, Success: i < tt.grant})
			from++
		}
		if got := n.Status().Role; got != tt.want {
			t.Errorf("size %d, %d granted %d denied: %s, want %s", tt.size, tt.grant, tt.deny, got, tt.want)
		}
	}
}

// §5.2: "Each server will vote for at most one candidate in a given term,
// on a first-come-first-served basis" (Figure 2: votedFor is null or
// candidateId).
func TestVoterGrantsAtMostOneVotePerTerm(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2, 3})
	for _, c := range []struct {
		from uint64
		want bool
	}{{2, true}, {3, false}, {2, true}} { // a repeated request from 2 is granted again
		n.step(t, raftpb.Message{Type: raftpb.MsgRequestVote, From: c.from, To: 1, Term: 1})
		ms := n.msgs(t)
		if len(ms) != 1 || ms[0].Success != c.want {
			t.Fatalf("vote request from %d: answers %v, want granted=%v", c.from, ms, c.want)
		}
	}
	if hs, _, _ := n.storage.InitialState(); hs.Vote != 2 || hs.Term != 1 {
		t.Fatalf("persisted hard state %+v, want term 1 vote 2", hs)
	}
}

// §5.2: "If the AppendEntries RPC is from a leader whose term is at least
// as large as the candidate's current term, then the candidate recognizes
// the leader as legitimate and returns to follower state."
func TestCandidateFollowsLeaderOfItsTerm(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2, 3})
	n.Campaign()
	n.step(t, raftpb.Message{Type: raftpb.MsgAppendEntries, From: 2, To: 1, Term: 1})
	if st := n.Status(); st.Role != RoleFollower || st.Lead != 2 || st.Term != 1 {
		t.Fatalf("candidate after an append of its term: %+v", st)
	}
}

// §5.2: "If many followers become candidates at the same time, votes could
// be split so that no candidate obtains a majority. When this happens, each
// candidate will time out and start a new election by incrementing its
// term."
func TestCandidateRetriesAfterSplitVote(t *testing.T) {
	n := newTestNode(t, 1, []uint64{1, 2, 3})
	n.Campaign()
	n.step(t, raftpb.Message{Type: raftpb.MsgRequestVoteResponse, From: 2, To: 1, Term: 1, Success: false})
	n.ticks(2 * n.r.electionTick)
	if st := n.Status(); st.Role != RoleCandidate || st.Term != 2 {
		t.Fatalf("after a split vote and a timeout: %s term %d, want Candidate term 2", st.Role, st.Term)
	}
}

// §5.4.1: "the voter denies its vote if its own log is more up-to-date than
// that of the candidate": compare last terms, then lengths.
func TestVoterRejectsCandidateWithOlderLog(t *testing.T) {
	tests := []struct {
		lastIndex, lastTerm uint64
		want                bool
	}{
		{3, 2, true}, {2, 2, false}, {4, 2, true}, {1, 3, true}, {5, 1, false},
	}
	for _, tt := range tests {
		n := newTestNode(t, 1, []uint64{1, 2, 3}, withLog(1, 1, 2)) // last 3/term 2
		n.step(t, raftpb.Message{Type: raftpb.MsgRequestVote, From: 2, To: 1, Term: 3,
			LastLogIndex: tt.lastIndex, LastLogTerm: tt.lastTerm})
		ms := n.msgs(t)
		if len(ms) != 1 || ms[0].Success != tt.want {
			t.Errorf("candidate log %d/term %d vs voter 3/term 2: %v, want granted=%v", tt.lastIndex, tt.lastTerm, ms, tt.want)
		}
	}
}
