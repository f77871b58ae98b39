package raft

import (
	"errors"
	"fmt"
	"slices"

	"skiff/raft/raftpb"
)

// Membership changes, one server at a time (thesis §4.1).
//
// raft counts quorums with the latest configuration in its log, from the
// moment a ConfChange entry is appended (membership_config.go); the driver
// applies the change to its own member list when the entry commits
// (ApplyConfChange). Two rules keep any two configurations that may count
// a quorum within one server of each other, so that their majorities
// overlap:
//
//  1. One change at a time: a leader accepts a change only when it has
//     applied every entry up to the last ConfChange it appended
//     (pendingConfIndex).
//  2. A new leader accepts no change before it has applied its own empty
//     entry (pendingConfIndex starts there). This is the fix for the 2015
//     single-server bug (Ongaro, raft-dev t4xj6dJTP6E): without it, a new
//     leader could append a change next to an uncommitted change of an
//     earlier term that is still alive in other logs, and configurations
//     two servers apart could each gather a majority.

// ErrConfChangePending is returned by ProposeConfChange while another
// change is in progress, or while a new leader has not yet applied an
// entry of its own term. Retry once the pending change is applied.
var ErrConfChangePending = errors.New("raft: a configuration change is in progress (or the new leader has not yet committed an entry of its term); retry once it is applied")

// ErrInvalidConfChange is wrapped by ProposeConfChange's errors for a
// change that makes no sense against the current configuration.
var ErrInvalidConfChange = errors.New("raft: invalid configuration change")

// ProposeConfChange proposes a membership change (thesis §4.1). On the
// leader it is checked and appended; on a follower it is forwarded to the
// leader, which drops it silently if it cannot take it. Watch
// CommittedEntries for the EntryConfChange and call ApplyConfChange with it.
// Errors: ErrProposalDropped (no leader, or a leadership transfer is under
// way), ErrConfChangePending, ErrInvalidConfChange.
func (n *Node) ProposeConfChange(cc raftpb.ConfChange) error {
	e := raftpb.Entry{Type: raftpb.EntryConfChange, Data: cc.MarshalAppend(nil)}
	if n.r.role == RoleLeader {
		return n.r.proposeAsLeader(true, e)
	}
	return n.r.step(raftpb.Message{Type: raftpb.MsgPropose, From: n.r.id, Entries: []raftpb.Entry{e}})
}

// ApplyConfChange records that the driver applied a committed
// EntryConfChange and returns the configuration it produces. The driver
// calls it in log order, before Advance, then updates its member list and
// transport, and keeps the returned ConfState for its next snapshot. (raft
// itself already counts with the new configuration since the entry was
// appended.) A leader that applies its own removal steps down (§4.2.2),
// first handing leadership to an up-to-date voter.
func (n *Node) ApplyConfChange(cc raftpb.ConfChange) raftpb.ConfState {
	r := n.r
	r.appliedConf = applyChange(r.appliedConf, cc)
	r.logger.Info("configuration applied", "term", r.term, "change", DescribeConfChange(cc),
		"config", DescribeConfState(r.appliedConf))
	if r.role == RoleLeader && !r.prs.isMember(r.id) && cc.Type == raftpb.ConfChangeRemoveNode && cc.NodeID == r.id {
		r.stepDownRemoved()
	}
	return cloneConfState(r.appliedConf)
}

// admitConfChanges checks the ConfChange entries of a proposal. A refused
// change fails a local proposal; in one forwarded from a follower it is
// dropped (the follower's driver times out). It records the index the
// accepted change will have.
func (r *raft) admitConfChanges(local bool, ents []raftpb.Entry) ([]raftpb.Entry, error) {
	for i := 0; i < len(ents); i++ {
		if ents[i].Type != raftpb.EntryConfChange {
			continue
		}
		err := r.checkConfChange(ents[i].Data)
		if err == nil {
			r.pendingConfIndex = r.log.lastIndex() + uint64(i) + 1
			continue
		}
		if local {
			return nil, err
		}
		r.logger.Info("dropping a forwarded configuration change", "term", r.term, "err", err)
		ents = slices.Delete(slices.Clone(ents), i, i+1)
		i--
	}
	return ents, nil
}

// checkConfChange decides whether the leader may append the encoded change.
func (r *raft) checkConfChange(data []byte) error {
	if r.pendingConfIndex > r.log.applied {
		return ErrConfChangePending // invariants 1 and 2 above
	}
	var cc raftpb.ConfChange
	if err := cc.Unmarshal(data); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidConfChange, err)
	}
	bad := func(why string) error {
		return fmt.Errorf("%w: %s: %s", ErrInvalidConfChange, DescribeConfChange(cc), why)
	}
	isVoter, isMember := r.prs.isVoter(cc.NodeID), r.prs.isMember(cc.NodeID)
	switch {
	case cc.NodeID == 0:
		return bad("node ID 0 means \"no node\"")
	case cc.Type == raftpb.ConfChangeAddNode && isVoter:
		return bad("already a voter")
	case cc.Type == raftpb.ConfChangeAddLearner && isVoter:
		return bad("a voter cannot become a learner; remove it first")
	case cc.Type == raftpb.ConfChangeAddLearner && isMember:
		return bad("already a learner")
	case cc.Type == raftpb.ConfChangeRemoveNode && !isMember:
		return bad("not a member")
	case cc.Type == raftpb.ConfChangeRemoveNode && isVoter && len(r.prs.voters) == 1:
		return bad("it is the last voter")
	case cc.Type > raftpb.ConfChangeUpdateNode:
		return bad("unknown change type")
	}
	return nil
}

// stepDownRemoved ends the leadership of a leader that applied its own
// removal (thesis §4.2.2: "the leader steps down once C_new is committed").
// The others already know the commit index (the Ready that handed the
// entry out broadcast it); it asks the most up-to-date voter to campaign
// at once (§3.10) so the cluster does not wait an election timeout.
func (r *raft) stepDownRemoved() {
	r.logger.Info("stepping down: removed from the configuration", "term", r.term)
	var best uint64
	for _, id := range r.prs.voters {
		if pr := r.prs.progress[id]; pr.Match == r.log.lastIndex() && (best == 0 || id < best) {
			best = id
		}
	}
	if best != 0 {
		r.sendTimeoutNow(best)
	}
	r.becomeFollower(r.term, 0)
}

// loadConfig rebuilds, at startup, the configuration in force and the
// applied one from the storage's (snapshot or bootstrap) configuration and
// the ConfChange entries in the log after it.
func (r *raft) loadConfig(base raftpb.ConfState, from uint64) error {
	r.conf, r.appliedConf = confLog{base: base}, base
	ents, err := r.log.slice(from+1, r.log.lastIndex()+1, noLimit)
	if err != nil {
		return fmt.Errorf("raft: reading the log (%d, %d] to rebuild the configuration: %w", from, r.log.lastIndex(), err)
	}
	r.noteAppended(ents)
	for _, c := range r.conf.entries {
		if c.index <= r.log.applied {
			r.appliedConf = c.cs
		}
	}
	r.foldCommitted()
	return nil
}
