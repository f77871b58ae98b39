package raft

import (
	"fmt"
	"slices"

	"skiff/raft/raftpb"
)

// Which configuration counts (thesis §4.1): "a server always uses the
// latest configuration in its log, regardless of whether the entry is
// committed". raft switches its quorums (the tracker) as soon as a
// ConfChange entry is appended to its log, and back if that entry is
// truncated away. The driver learns of a change later, when the entry is
// committed and it applies it with ApplyConfChange (the applied
// configuration, which goes into snapshots and Status.Config).
//
// Why not switch quorums on apply, as etcd does: a node can hold several
// changes in its log without knowing they are committed. Elected in that
// state, it would count votes and commits with a configuration two or more
// changes old, whose majorities need not overlap those of the current one
// (C0={1,2,3} and C2={1,2,3,4,5}: {1,2} and {3,4,5}), and an entry it
// commits could be lost. On append, a leader's configuration is the last
// committed one plus at most one change (the two rules in membership.go),
// so its majorities always overlap the cluster's.

// confEntry is the configuration after a ConfChange entry of the log that
// is not yet known committed.
type confEntry struct {
	index uint64
	cs    raftpb.ConfState
}

// confLog tracks the configuration in force (the last one in the log).
//
// Invariants:
//  1. entries are in index order, all above base's index, and the last
//     one's configuration (or base without entries) is the tracker's.
//  2. entries at or below the commit index are folded into base (they can
//     never be truncated).
type confLog struct {
	base    raftpb.ConfState
	entries []confEntry
}

// latest returns the configuration in force.
func (c *confLog) latest() raftpb.ConfState {
	if n := len(c.entries); n > 0 {
		return c.entries[n-1].cs
	}
	return c.base
}

// noteAppended records the ConfChange entries among ents, just appended to
// the log, and switches the tracker to the result.
func (r *raft) noteAppended(ents []raftpb.Entry) {
	changed := false
	for i := range ents {
		if ents[i].Type != raftpb.EntryConfChange {
			continue
		}
		var cc raftpb.ConfChange
		if err := cc.Unmarshal(ents[i].Data); err != nil {
			panic(fmt.Sprintf("raft: undecodable ConfChange entry %d in the log: %v", ents[i].Index, err))
		}
		cs := applyChange(r.conf.latest(), cc)
		r.conf.entries = append(r.conf.entries, confEntry{index: ents[i].Index, cs: cs})
		changed = true
	}
	if changed {
		r.switchConfig()
	}
}

// noteTruncated forgets the configurations of entries from index on, which
// a new leader's entries replaced (thesis §4.1: "a server must be prepared
// to fall back to the previous configuration in its log").
func (r *raft) noteTruncated(from uint64) {
	n := len(r.conf.entries)
	for n > 0 && r.conf.entries[n-1].index >= from {
		n--
	}
	if n != len(r.conf.entries) {
		r.conf.entries = r.conf.entries[:n]
		r.switchConfig()
	}
}

// foldCommitted moves the configurations of committed entries into base.
func (r *raft) foldCommitted() {
	k := 0
	for k < len(r.conf.entries) && r.conf.entries[k].index <= r.log.committed {
		r.conf.base = r.conf.entries[k].cs
		k++
	}
	r.conf.entries = r.conf.entries[k:]
}

// switchConfig makes the tracker count with the latest configuration. A
// leader probes members that are new to it, and may commit more if the
// quorum shrank.
func (r *raft) switchConfig() {
	cs := r.conf.latest()
	added := r.prs.setConfig(cs, r.log.lastIndex())
	r.logger.Info("configuration in force", "term", r.term, "config", DescribeConfState(cs))
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
