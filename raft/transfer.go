package raft

import (
	"errors"
	"fmt"

	"skiff/raft/raftpb"
)

// Leadership transfer (thesis §3.10): the leader stops taking proposals,
// brings the target's log up to date, and sends it TimeoutNow; the target
// starts an election at once, which it wins because its log is as
// up-to-date as anyone's. If no new leader appears within an election
// timeout, the leader gives up and takes proposals again.

// ErrNotLeader is returned by TransferLeadership on a node that cannot
// start the transfer: only the leader can, or a follower asking for the
// leadership itself.
var ErrNotLeader = errors.New("raft: not the leader; ask the leader (Status().Lead) to transfer leadership")

// ErrInvalidTransfer is wrapped by TransferLeadership for a target that
// cannot lead.
var ErrInvalidTransfer = errors.New("raft: invalid leadership transfer")

// TransferLeadership asks the leader to hand leadership to `to`, a voter,
// for example before stopping it for maintenance. On the leader it starts
// at once; a follower may ask for the leadership itself (to == its ID),
// which it forwards to the leader. Progress shows in SoftState: the transfer
// is done when another node leads; it is abandoned after an election
// timeout. Meanwhile the leader refuses proposals (ErrProposalDropped).
// Transferring to the leader itself cancels a transfer in progress.
func (n *Node) TransferLeadership(to uint64) error {
	r := n.r
	if r.role == RoleLeader {
		return r.transferLeadership(to)
	}
	if to == r.id && r.role == RoleFollower && r.lead != 0 {
		r.send(raftpb.Message{Type: raftpb.MsgTransferLeadership, To: r.lead})
		return nil
	}
	return ErrNotLeader
}

// transferLeadership starts a transfer to `to` (thesis §3.10 steps 1–2).
func (r *raft) transferLeadership(to uint64) error {
	switch {
	case to == r.id:
		if r.leadTransferee != 0 {
			r.abortTransfer("asked to keep the leadership")
		}
		return nil
	case !r.prs.isVoter(to):
		return fmt.Errorf("%w: %d is not a voter in %v", ErrInvalidTransfer, to, r.prs.voters)
	case r.leadTransferee == to:
		return nil // already under way
	case r.leadTransferee != 0:
		r.abortTransfer(fmt.Sprintf("a transfer to %d was asked", to))
	}
	r.logger.Info("transferring leadership", "term", r.term, "to", to)
	r.leadTransferee = to
	// "The prior leader ... aborts the transfer if it does not complete
	// within an election timeout": count it from now.
	r.electionElapsed = 0
	r.maybeSendTimeoutNow(to)
	return nil
}

// maybeSendTimeoutNow sends TimeoutNow if the target's log matches the
// leader's to the end (step 2: "the prior leader sends its log entries to
// the target server"; then step 3), and otherwise sends it what it lacks.
func (r *raft) maybeSendTimeoutNow(to uint64) {
	pr := r.prs.progress[to]
	if pr.Match == r.log.lastIndex() {
		r.sendTimeoutNow(to)
		return
	}
	r.sendAppend(to, true)
}

// sendTimeoutNow tells `to` to start an election now (thesis §3.10 step 3).
func (r *raft) sendTimeoutNow(to uint64) {
	r.send(raftpb.Message{Type: raftpb.MsgTimeoutNow, To: to})
}

// abortTransfer gives up a transfer in progress and takes proposals again.
func (r *raft) abortTransfer(why string) {
	r.logger.Info("leadership transfer abandoned", "term", r.term, "to", r.leadTransferee, "why", why)
	r.leadTransferee = 0
}

// handleTimeoutNow starts an election at once, skipping Pre-Vote, and
// marks the vote requests as part of a transfer so that voters who still
// hear the old leader do not ignore them (thesis §3.10, §4.2.3).
func (r *raft) handleTimeoutNow(m raftpb.Message) {
	if r.role == RoleLeader {
		return // a TimeoutNow of our own term cannot come from a leader
	}
	if !r.promotable() || r.hasUnappliedConfChange() {
		r.logger.Warn("ignoring TimeoutNow: not a voter, or a committed configuration change is not applied yet",
			"term", r.term, "from", m.From)
		return
	}
	r.logger.Info("campaigning at the leader's request", "term", r.term, "from", m.From)
	r.campaign(RoleCandidate, true)
}
