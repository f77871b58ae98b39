package raft

import (
	"fmt"
	"slices"

	"skiff/raft/raftpb"
)

// switchConfig makes the tracker count with cs, the configuration the
// driver has just applied (or restored). A leader probes members that are
// new to it, and may commit more if the quorum shrank.
func (r *raft) switchConfig(cs raftpb.ConfState) {
	added := r.prs.setConfig(cs, r.log.lastIndex())
	if r.role != RoleLeader {
		return
	}
	if r.leadTransferee != 0 && !r.prs.isVoter(r.leadTransferee) {
		r.abortTransfer("the target left the voters")
	}
	if r.maybeCommit() {
		r.broadcastPending = true
	}
	for _, id := range added {
		r.sendAppend(id, true)
	}
}

// hasUnappliedConfChange reports whether a ConfChange entry is committed
// but not yet applied (rule 3 in membership.go).
func (r *raft) hasUnappliedConfChange() bool {
	if r.log.committed <= r.log.applied {
		return false
	}
	ents, err := r.log.slice(r.log.applied+1, r.log.committed+1, noLimit)
	if err != nil {
		panic(fmt.Sprintf("raft: committed entries (%d, %d] unreadable: %v", r.log.applied, r.log.committed, err))
	}
	for i := range ents {
		if ents[i].Type == raftpb.EntryConfChange {
			return true
		}
	}
	return false
}

// loadConfig rebuilds, at startup, the applied configuration from the
// storage's (snapshot or bootstrap) one and the ConfChange entries the
// driver applied before the restart, in (from, applied]: raft does not hand
// those out again, so the driver does not call ApplyConfChange for them.
func (r *raft) loadConfig(base raftpb.ConfState, from uint64) error {
	r.appliedConf = base
	ents, err := r.log.slice(from+1, r.log.applied+1, noLimit)
	if err != nil {
		return fmt.Errorf("raft: reading applied entries (%d, %d] to rebuild the configuration: %w", from, r.log.applied, err)
	}
	for _, e := range ents {
		if e.Type != raftpb.EntryConfChange {
			continue
		}
		var cc raftpb.ConfChange
		if err := cc.Unmarshal(e.Data); err != nil {
			return fmt.Errorf("raft: ConfChange entry %d: %w", e.Index, err)
		}
		r.appliedConf = applyChange(r.appliedConf, cc)
	}
	r.prs.setConfig(r.appliedConf, r.log.lastIndex())
	return nil
}

// applyChange returns cs changed by cc. It checks nothing: every node must
// reach the same configuration from the same entries, so a change that
// makes no sense (refused when proposed, but possible after a leader
// change) is a no-op.
func applyChange(cs raftpb.ConfState, cc raftpb.ConfChange) raftpb.ConfState {
	id := cc.NodeID
	without := func(ids []uint64) []uint64 {
		return slices.DeleteFunc(slices.Clone(ids), func(x uint64) bool { return x == id })
	}
	isVoter := slices.Contains(cs.Voters, id)
	isLearner := slices.Contains(cs.Learners, id)
	out := raftpb.ConfState{Voters: slices.Clone(cs.Voters), Learners: slices.Clone(cs.Learners)}
	switch cc.Type {
	case raftpb.ConfChangeAddNode:
		if !isVoter {
			out.Voters, out.Learners = sortedUnique(append(out.Voters, id)), without(cs.Learners)
		}
	case raftpb.ConfChangeAddLearner:
		if !isVoter && !isLearner {
			out.Learners = sortedUnique(append(out.Learners, id))
		}
	case raftpb.ConfChangeRemoveNode:
		out.Voters, out.Learners = without(cs.Voters), without(cs.Learners)
	}
	return out
}
