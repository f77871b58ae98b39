package raft

import (
	"errors"
	"fmt"
	"slices"

	"skiff/raft/raftpb"
)

// Membership changes, one server at a time (thesis §4.1).
//
// When a configuration takes effect: on apply. A ConfChange entry is
// replicated like any other; each node switches its quorums to the new
// configuration when its driver applies the committed entry and calls
// ApplyConfChange (etcd's choice; the thesis's own rule is "on append").
// On apply is what a server wants: it changes its member list and its
// transport at the point where raft changes its quorums, and a member can
// be added to a one-member cluster before it is started (on append, the
// change could not commit until the new member answered). Three rules make
// it safe, by keeping every configuration that may count a quorum within
// one server of the latest committed one, so that their majorities overlap:
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
//  3. No node campaigns while a ConfChange it knows is committed is not yet
//     applied (etcd's rule too). By rule 1, whoever proposed change k+1 had
//     applied change k, so any AppendEntries carrying k+1 says that k is
//     committed; a node holding k+1 therefore knows k is committed, and by
//     this rule applies it before it may lead. A leader's configuration is
//     thus the latest committed one or the one before it.
//
// A removed leader keeps leading until it applies its removal, which is
// after the removal commits, as §4.2.2 asks.

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

// ApplyConfChange switches raft's quorums to the configuration that cc
// produces and returns it. The driver calls it when it applies a committed
// EntryConfChange, in log order, before Advance; then it updates its
// member list and transport, and keeps the returned ConfState for its next
// snapshot. A leader that applies its own removal steps down (§4.2.2),
// first handing leadership to an up-to-date voter.
func (n *Node) ApplyConfChange(cc raftpb.ConfChange) raftpb.ConfState {
	r := n.r
	r.appliedConf = applyChange(r.appliedConf, cc)
	r.logger.Info("configuration applied", "term", r.term, "change", DescribeConfChange(cc),
		"config", DescribeConfState(r.appliedConf))
	r.switchConfig(r.appliedConf)
	if r.role == RoleLeader && !r.prs.isMember(r.id) {
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
