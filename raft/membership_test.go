package raft

import (
	"errors"
	"testing"

	"skiff/raft/raftpb"
)

// applyCommitted applies every committed entry handed out, calling
// ApplyConfChange for configuration changes as a driver must, and returns
// the messages sent.
func (tn *testNode) applyCommitted(t testing.TB) []raftpb.Message {
	t.Helper()
	var msgs []raftpb.Message
	for tn.HasReady() {
		rd := tn.ready(t)
		msgs = append(msgs, rd.Messages...)
		for _, e := range rd.CommittedEntries {
			if e.Type == raftpb.EntryConfChange {
				var cc raftpb.ConfChange
				if err := cc.Unmarshal(e.Data); err != nil {
					t.Fatal(err)
				}
				tn.ApplyConfChange(cc)
			}
		}
	}
	return msgs
}

// The 2015 single-server fix (raft-dev t4xj6dJTP6E): a new leader accepts
// no configuration change before an entry of its own term is committed
// and applied; and only one change may be pending at a time (thesis §4.1).
func TestConfChangeWaitsForLeaderEntryAndOneAtATime(t *testing.T) {
	n, apps := newLeaderOf3(t)
	add4 := raftpb.ConfChange{Type: raftpb.ConfChangeAddNode, NodeID: 4}
	if err := n.ProposeConfChange(add4); !errors.Is(err, ErrConfChangePending) {
		t.Fatalf("change before the leader's entry committed: %v, want ErrConfChangePending", err)
	}
	n.ackAppends(t, apps)
	n.applyCommitted(t)
	if err := n.ProposeConfChange(add4); err != nil {
		t.Fatalf("change after the leader's entry applied: %v", err)
	}
	if err := n.ProposeConfChange(raftpb.ConfChange{Type: raftpb.ConfChangeRemoveNode, NodeID: 3}); !errors.Is(err, ErrConfChangePending) {
		t.Fatalf("second change while one is pending: %v, want ErrConfChangePending", err)
	}
	msgs := n.applyCommitted(t)
	if st := n.Status(); len(st.Config.Voters) != 3 {
		t.Fatalf("config %v changed before the entry committed; changes take effect on apply", st.Config)
	}
	n.ackAppends(t, msgs)
	n.applyCommitted(t)
	if st := n.Status(); len(st.Config.Voters) != 4 || st.Progress[4].Next != st.LastIndex+1 {
		t.Fatalf("after applying AddNode(4): config %v progress %v", st.Config, st.Progress[4])
	}
	if err := n.ProposeConfChange(raftpb.ConfChange{Type: raftpb.ConfChangeRemoveNode, NodeID: 3}); err != nil {
		t.Fatalf("next change after the first applied: %v", err)
	}
}

// Changes that make no sense against the configuration are refused when
// proposed, and applied as no-ops if they reach the log anyway.
func TestConfChangeValidation(t *testing.T) {
	n, apps := newLeaderOf3(t)
	n.ackAppends(t, apps)
	n.applyCommitted(t)
	for _, cc := range []raftpb.ConfChange{
		{Type: raftpb.ConfChangeAddNode, NodeID: 2},
		{Type: raftpb.ConfChangeAddLearner, NodeID: 2},
		{Type: raftpb.ConfChangeRemoveNode, NodeID: 9},
		{Type: raftpb.ConfChangeAddNode, NodeID: 0},
	} {
		if err := n.ProposeConfChange(cc); !errors.Is(err, ErrInvalidConfChange) {
			t.Errorf("%s: %v, want ErrInvalidConfChange", DescribeConfChange(cc), err)
		}
	}
	cs := n.ApplyConfChange(raftpb.ConfChange{Type: raftpb.ConfChangeAddLearner, NodeID: 2})
	if len(cs.Voters) != 3 || len(cs.Learners) != 0 {
		t.Fatalf("applying AddLearner to a voter changed the config to %v", cs)
	}
}

// A learner receives the log but neither votes nor counts for commitment
// (thesis §4.2.1); it never campaigns.
func TestLearnerDoesNotCountOrCampaign(t *testing.T) {
	n, apps := newLeaderOf3(t)
	n.ackAppends(t, apps)
	n.applyCommitted(t)
	n.ApplyConfChange(raftpb.ConfChange{Type: raftpb.ConfChangeAddLearner, NodeID: 4})
	n.Propose([]byte("x"))
	msgs := n.applyCommitted(t)
	for _, m := range filter(msgs, raftpb.MsgAppendEntries) {
		if m.To == 4 || m.To == 2 {
			n.step(t, raftpb.Message{Type: raftpb.MsgAppendEntriesResponse, From: m.To, To: 1, Term: m.Term,
				Success: true, MatchIndex: n.Status().LastIndex})
		}
	}
	if st := n.Status(); st.Commit != st.LastIndex {
		t.Fatalf("commit %d, want %d (leader and node 2 are a quorum)", st.Commit, st.LastIndex)
	}
	l := newTestNode(t, 4, []uint64{1, 2, 3}, func(c *Config) {
		s := NewMemoryStorage()
		s.Bootstrap(raftpb.ConfState{Voters: []uint64{1, 2, 3}, Learners: []uint64{4}})
		c.Storage = s
	})
	l.ticks(100)
	if st := l.Status(); st.Role != RoleFollower || st.Term != 0 {
		t.Fatalf("learner after 100 ticks: %s term %d, want a follower in term 0", st.Role, st.Term)
	}
}

// SafeConfChange refuses a change that leaves fewer active voters than a
// quorum (etcd's --strict-reconfig-check).
func TestSafeConfChange(t *testing.T) {
	n, apps := newLeaderOf3(t)
	n.ackAppends(t, apps[:1]) // only node 2 answers
	n.ticks(n.r.electionTick)
	n.step(t, raftpb.Message{Type: raftpb.MsgHeartbeatResponse, From: 2, To: 1, Term: n.r.term})
	st := n.Status()
	if err := st.SafeConfChange(raftpb.ConfChange{Type: raftpb.ConfChangeRemoveNode, NodeID: 3}); err != nil {
		t.Errorf("removing the dead node 3 leaves {1,2}, both active: %v", err)
	}
	if err := st.SafeConfChange(raftpb.ConfChange{Type: raftpb.ConfChangeRemoveNode, NodeID: 2}); !errors.Is(err, ErrUnsafeConfChange) {
		t.Errorf("removing the live node 2 leaves {1,3} with 3 dead: %v, want ErrUnsafeConfChange", err)
	}
	if err := st.SafeConfChange(raftpb.ConfChange{Type: raftpb.ConfChangeAddNode, NodeID: 4}); !errors.Is(err, ErrUnsafeConfChange) {
		t.Errorf("adding 4 makes 4 voters with 2 active: %v, want ErrUnsafeConfChange", err)
	}
}

// A leader that has lost its quorum stops taking proposals once its
// uncommitted log reaches MaxUncommittedEntriesSize.
func TestUncommittedLogIsBounded(t *testing.T) {
	n, apps := newLeaderOf3(t, func(c *Config) { c.MaxUncommittedEntriesSize = 10 })
	n.ackAppends(t, apps)
	n.applyCommitted(t)
	big := make([]byte, 8)
	if err := n.Propose(big); err != nil {
		t.Fatal(err)
	}
	if err := n.Propose(big); !errors.Is(err, ErrProposalDropped) {
		t.Fatalf("proposal past the bound: %v, want ErrProposalDropped", err)
	}
	msgs := n.applyCommitted(t)
	n.ackAppends(t, msgs)
	n.applyCommitted(t)
	if err := n.Propose(big); err != nil {
		t.Fatalf("proposal after the backlog committed: %v", err)
	}
}

// Thesis §3.10: during a transfer the leader refuses proposals; it sends
// TimeoutNow once the target is up to date; it gives up after an election
// timeout.
func TestTransferLeadership(t *testing.T) {
	n, apps := newLeaderOf3(t)
	n.ackAppends(t, apps[:1]) // node 3 lags
	n.applyCommitted(t)
	if err := n.TransferLeadership(4); !errors.Is(err, ErrInvalidTransfer) {
		t.Fatalf("transfer to a non-member: %v", err)
	}
	n.TransferLeadership(3)
	if err := n.Propose([]byte("x")); !errors.Is(err, ErrProposalDropped) {
		t.Fatalf("proposal during a transfer: %v, want ErrProposalDropped", err)
	}
	msgs := n.applyCommitted(t)
	if len(filter(msgs, raftpb.MsgTimeoutNow)) != 0 {
		t.Fatalf("TimeoutNow sent to a lagging target: %v", msgs)
	}
	n.step(t, raftpb.Message{Type: raftpb.MsgAppendEntriesResponse, From: 3, To: 1, Term: n.r.term,
		Success: true, MatchIndex: n.Status().LastIndex})
	msgs = n.applyCommitted(t)
	if tn := filter(msgs, raftpb.MsgTimeoutNow); len(tn) != 1 || tn[0].To != 3 {
		t.Fatalf("after the target caught up: %v, want TimeoutNow to 3", msgs)
	}
	n.ticks(n.r.electionTick)
	if st := n.Status(); st.LeadTransferee != 0 || n.Propose([]byte("y")) != nil {
		t.Fatalf("transfer not abandoned after an election timeout (transferee %d)", st.LeadTransferee)
	}

	// The target campaigns at once, past the leader lease of its voters.
	f := newTestNode(t, 3, []uint64{1, 2, 3}, withPreVote, withCheckQuorum)
	f.step(t, raftpb.Message{Type: raftpb.MsgTimeoutNow, From: 1, To: 3, Term: 1})
	votes := filter(f.msgs(t), raftpb.MsgRequestVote)
	if len(votes) != 2 || !votes[0].Transfer || f.Status().Role != RoleCandidate {
		t.Fatalf("TimeoutNow target: %s, sent %v; want a candidate asking for transfer votes", f.Status().Role, votes)
	}
}

// Rule 3 (membership.go): a node that knows a configuration change is
// committed does not campaign before it has applied it; otherwise it could
// lead with a configuration two changes behind the cluster's.
func TestNoCampaignWithCommittedUnappliedConfChange(t *testing.T) {
	cc := raftpb.ConfChange{Type: raftpb.ConfChangeAddNode, NodeID: 4}
	n := newTestNode(t, 2, []uint64{1, 2, 3})
	n.step(t, raftpb.Message{Type: raftpb.MsgAppendEntries, From: 1, To: 2, Term: 1, LeaderCommit: 2,
		Entries: []raftpb.Entry{{Index: 1, Term: 1}, {Index: 2, Term: 1, Type: raftpb.EntryConfChange, Data: cc.MarshalAppend(nil)}}})
	rd := n.Ready() // the change is handed out; the driver is still applying it
	n.storage.Append(rd.Entries)
	n.storage.SetHardState(rd.HardState)
	n.ticks(4 * n.r.electionTick)
	if st := n.Status(); st.Role != RoleFollower || st.Term != 1 {
		t.Fatalf("with a committed change unapplied: %s term %d, want a follower in term 1", st.Role, st.Term)
	}
	n.ApplyConfChange(cc)
	n.Advance()
	n.ticks(4 * n.r.electionTick)
	if st := n.Status(); st.Term == 1 {
		t.Fatalf("after applying the change the node still does not campaign (term %d)", st.Term)
	}
}
