package raft

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
}

// Status returns the node's current state.
func (n *Node) Status() Status {
	r := n.r
	s := Status{
		ID: r.id, Role: r.role, Term: r.term, Vote: r.vote, Lead: r.lead,
		Commit: r.log.committed, Applied: r.log.applied,
		LastIndex: r.log.lastIndex(), LastTerm: r.log.lastTerm(),
	}
	if r.role == RoleLeader {
		s.Progress = make(map[uint64]ProgressStatus, len(r.prs.ids))
		for _, id := range r.prs.ids {
			pr := r.prs.progress[id]
			s.Progress[id] = ProgressStatus{Match: pr.Match, Next: pr.Next, State: pr.State,
				RecentActive: pr.RecentActive, IsLearner: pr.IsLearner}
		}
	}
	return s
}
