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
// replicated like any other; each node switches to the new configuration
// when its driver applies the committed entry and calls ApplyConfChange
// (etcd's choice; the thesis's own rule is "on append"). The two rules
// give the same safety with one server at a time, because:
//
//  1. A leader accepts a change only when no other change is pending, that
//     is, when it has applied every entry up to the last ConfChange in its
//     log (pendingConfIndex). So at any moment each node uses either the
//     last applied configuration C or the one before it, and the two differ
//     by one server: any majority of one overlaps any majority of the other.
//  2. A new leader accepts no change before it has applied its own empty
//     entry (pendingConfIndex starts at it). This is the fix for the 2015
//     single-server bug (Ongaro, raft-dev t4xj6dJTP6E): without it, a
//     leader could append a change based on a configuration that a change
//     of an earlier term, uncommitted but still alive in another log, is
//     about to replace, and two configurations differing by two servers
//     could each gather a majority.
//
// On apply is also what a server wants: it updates its member list and its
// transport at the same point where raft changes its quorum. The cost is
// a slower change (an entry must commit before it counts), and a removed
// leader keeps leading until its removal commits, as §4.2.2 asks anyway.

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

// ApplyConfChange switches raft to the configuration that cc produces and
// returns it. The driver calls it when it applies a committed
// EntryConfChange, in log order, before Advance; then it updates its
// member list and transport, and keeps the returned ConfState for its next
// snapshot. A leader that applies its own removal steps down (§4.2.2),
// first handing leadership to an up-to-date voter.
func (n *Node) ApplyConfChange(cc raftpb.ConfChange) raftpb.ConfState {
	n.r.applyConfChange(cc)
	return n.r.prs.confState()
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

// applyConfChange changes the configuration when a committed change is
// applied. It checks nothing the proposal was checked for: every node must
// reach the same configuration from the same entries, so a change that no
// longer makes sense is applied as a no-op.
func (r *raft) applyConfChange(cc raftpb.ConfChange) {
	switch cc.Type {
	case raftpb.ConfChangeAddNode:
		r.prs.addVoter(cc.NodeID, r.log.lastIndex())
	case raftpb.ConfChangeAddLearner:
		r.prs.addLearner(cc.NodeID, r.log.lastIndex())
	case raftpb.ConfChangeRemoveNode:
		r.prs.remove(cc.NodeID)
	}
	r.logger.Info("configuration changed", "term", r.term, "change", DescribeConfChange(cc),
		"config", DescribeConfState(r.prs.confState()))
	if r.role != RoleLeader {
		return
	}
	if !r.prs.isMember(r.id) {
		r.stepDownRemoved()
		return
	}
	if cc.NodeID == r.leadTransferee && !r.prs.isVoter(cc.NodeID) {
		r.abortTransfer("the target left the voters")
	}
	// A smaller quorum may commit more; a new member must be probed.
	if r.maybeCommit() {
		r.broadcastPending = true
	}
	if cc.NodeID != r.id && r.prs.isMember(cc.NodeID) {
		r.sendAppend(cc.NodeID, true)
	}
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

// replayConfChanges brings the configuration from the snapshot's (or the
// bootstrap's) up to date with the changes the driver applied before a
// restart, in (from, r.log.applied]: raft does not hand those entries out
// again, so the driver does not call ApplyConfChange for them.
func (r *raft) replayConfChanges(from uint64) error {
	if r.log.applied <= from {
		return nil
	}
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
			return fmt.Errorf("raft: conf change entry %d: %w", e.Index, err)
		}
		r.applyConfChange(cc)
	}
	return nil
}
