package raft

import (
	"errors"
	"fmt"
	"slices"

	"skiff/raft/raftpb"
)

// Status is a snapshot of a node's state for introspection and tests.
type Status struct {
	ID      uint64
	Role    Role
	Term    uint64 // currentTerm
	Vote    uint64 // votedFor
	Lead    uint64
	Commit  uint64 // commitIndex
	Applied uint64 // lastApplied (as acknowledged by Advance)

	LastIndex uint64
	LastTerm  uint64

	// Config is the configuration this node has applied (the result of
	// the last ApplyConfChange, or of the snapshot or bootstrap), which
	// raft counts votes and commits with. A node not in it has been
	// removed (or has not yet caught up after joining): see IsMember.
	Config raftpb.ConfState
	// LeadTransferee is the target of a leadership transfer in progress on
	// the leader, 0 if none.
	LeadTransferee uint64

	// Progress is the leader's view of every member, nil on other nodes.
	Progress map[uint64]ProgressStatus
}

// ProgressStatus is the leader's view of one member (Figure 2's
// nextIndex[] and matchIndex[]).
type ProgressStatus struct {
	Match        uint64
	Next         uint64
	State        ProgressState
	RecentActive bool
	IsLearner    bool
	// Active says the member answered within the last election timeout.
	Active bool
	// PendingSnapshot is the snapshot index sent in StateSnapshot.
	PendingSnapshot uint64
}

// Status returns the node's current state.
func (n *Node) Status() Status {
	r := n.r
	s := Status{
		ID: r.id, Role: r.role, Term: r.term, Vote: r.vote, Lead: r.lead,
		Commit: r.log.committed, Applied: r.log.applied,
		LastIndex: r.log.lastIndex(), LastTerm: r.log.lastTerm(),
		Config: cloneConfState(r.appliedConf), LeadTransferee: r.leadTransferee,
	}
	if r.role == RoleLeader {
		s.Progress = make(map[uint64]ProgressStatus, len(r.prs.ids))
		for _, id := range r.prs.ids {
			pr := r.prs.progress[id]
			s.Progress[id] = ProgressStatus{Match: pr.Match, Next: pr.Next, State: pr.State,
				RecentActive: pr.RecentActive, IsLearner: pr.IsLearner,
				Active: id == r.id || pr.sinceHeard < r.electionTick, PendingSnapshot: pr.PendingSnapshot}
		}
	}
	return s
}

// IsMember reports whether this node is a voter or a learner in the
// configuration it has applied. A member that applied its own removal sees
// false and should shut down; so does a new member that has not yet
// received the change adding it, so a server checks this only once it has
// been a member.
func (s Status) IsMember() bool {
	return slices.Contains(s.Config.Voters, s.ID) || slices.Contains(s.Config.Learners, s.ID)
}

// ErrUnsafeConfChange is wrapped by Status.SafeConfChange.
var ErrUnsafeConfChange = errors.New("raft: configuration change would leave too few active voters for a quorum")

// SafeConfChange reports whether cc would leave at least a quorum of the
// new configuration's voters active (heard from within the last election
// timeout), as etcd's --strict-reconfig-check asks. A new member counts as
// inactive until it answers. It needs the leader's Status (with Progress).
func (s Status) SafeConfChange(cc raftpb.ConfChange) error {
	if s.Progress == nil {
		return fmt.Errorf("raft: SafeConfChange needs the leader's status; node %d is %s (leader %d)", s.ID, s.Role, s.Lead)
	}
	voters := slices.Clone(s.Config.Voters)
	switch cc.Type {
	case raftpb.ConfChangeAddNode:
		if !slices.Contains(voters, cc.NodeID) {
			voters = append(voters, cc.NodeID)
		}
	case raftpb.ConfChangeRemoveNode, raftpb.ConfChangeAddLearner:
		voters = slices.DeleteFunc(voters, func(id uint64) bool { return id == cc.NodeID })
	}
	active := 0
	for _, id := range voters {
		if s.Progress[id].Active {
			active++
		}
	}
	if q := len(voters)/2 + 1; active < q {
		return fmt.Errorf("%w: %s leaves %d voters of which %d are active, and a quorum is %d",
			ErrUnsafeConfChange, DescribeConfChange(cc), len(voters), active, q)
	}
	return nil
}
