package raft

import (
	"testing"

	"skiff/raft/raftpb"
)

// FuzzStep feeds arbitrary decoded messages to a follower, a candidate and
// a leader: whatever arrives, Step returns an error or handles it, never
// panics, and the node's log invariants still hold afterwards.
//
//	go test ./raft -run '^$' -fuzz FuzzStep -fuzztime 30s -fuzzminimizetime 2s
func FuzzStep(f *testing.F) {
	for _, m := range []raftpb.Message{
		{Type: raftpb.MsgAppendEntries, From: 2, To: 1, Term: 3, PrevLogIndex: 2, PrevLogTerm: 2, LeaderCommit: 3,
			Entries: []raftpb.Entry{{Index: 3, Term: 3, Data: []byte("x")}}},
		{Type: raftpb.MsgHeartbeat, From: 2, To: 1, Term: 3, LeaderCommit: 2},
		{Type: raftpb.MsgRequestVote, From: 3, To: 1, Term: 4, LastLogIndex: 5, LastLogTerm: 3},
		{Type: raftpb.MsgPreVote, From: 3, To: 1, Term: 4, LastLogIndex: 5, LastLogTerm: 3},
		{Type: raftpb.MsgAppendEntriesResponse, From: 2, To: 1, Term: 3, Success: true, MatchIndex: 3},
		{Type: raftpb.MsgAppendEntriesResponse, From: 2, To: 1, Term: 3, MatchIndex: 2, ConflictIndex: 1, ConflictTerm: 1},
		{Type: raftpb.MsgRequestVoteResponse, From: 2, To: 1, Term: 3, Success: true},
		{Type: raftpb.MsgPropose, From: 2, To: 1, Entries: []raftpb.Entry{{Data: []byte("p")}}},
	} {
		f.Add(m.MarshalAppend(nil))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var m raftpb.Message
		if m.Unmarshal(b) != nil {
			return
		}
		for _, role := range []Role{RoleFollower, RoleCandidate, RoleLeader} {
			n := fuzzNode(t, role)
			_ = n.Step(m)
			for n.HasReady() {
				n.ready(t)
			}
			checkLogInvariants(t, n)
		}
	})
}

// fuzzNode returns node 1 of {1,2,3} with log terms [1 2 2] in the given role.
func fuzzNode(t *testing.T, role Role) *testNode {
	n := newTestNode(t, 1, []uint64{1, 2, 3}, withLog(1, 2, 2), func(c *Config) { c.DisableCheckQuorum = false })
	switch role {
	case RoleCandidate:
		n.Campaign()
	case RoleLeader:
		n.becomeLeaderByVotes(t)
	}
	n.msgs(t)
	return n
}

func checkLogInvariants(t *testing.T, n *testNode) {
	l := n.r.log
	if !(l.applied <= l.applying && l.applying <= l.committed && l.committed <= l.lastIndex()) {
		t.Fatalf("log invariant broken: applied=%d applying=%d committed=%d last=%d",
			l.applied, l.applying, l.committed, l.lastIndex())
	}
	for _, id := range n.r.prs.ids {
		if pr := n.r.prs.progress[id]; pr.Match >= pr.Next {
			t.Fatalf("progress of %d: match %d >= next %d", id, pr.Match, pr.Next)
		}
	}
}
