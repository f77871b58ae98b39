package raft

import (
	"fmt"

	"skiff/raft/raftpb"
)

// step is the single entry point for messages. It first applies the term
// rules every server follows (Figure 2, "Rules for Servers": a message with
// a higher term makes the receiver adopt it and follow; one with a lower
// term is stale), then hands the message to the handler for its type.
func (r *raft) step(m raftpb.Message) error {
	if r.debugOn {
		r.logger.Debug("recv", "term", r.term, "role", r.role, "msg", DescribeMessage(m))
	}
	switch {
	case m.Term == 0:
		// A local message (a proposal); it belongs to no term.
	case m.Term > r.term:
		if !r.adoptHigherTerm(m) {
			return nil
		}
	case m.Term < r.term:
		r.answerStaleTerm(m)
		return nil
	}
	return r.dispatch(m)
}

// adoptHigherTerm applies the higher-term rule to m. It returns false if m
// is to be ignored.
func (r *raft) adoptHigherTerm(m raftpb.Message) bool {
	if isVoteRequest(m.Type) && r.inLeaderLease(m) {
		// §4.2.3 (with check-quorum, §6.2): while a live leader is known,
		// vote requests are ignored, so a server that does not hear the
		// leader (say, one removed or partitioned) cannot depose it.
		if r.debugOn {
			r.logger.Debug("ignoring vote request: leader lease", "term", r.term, "lead", r.lead,
				"msg", DescribeMessage(m))
		}
		return false
	}
	switch {
	case m.Type == raftpb.MsgPreVote:
		// §9.6: a pre-vote never changes the receiver's term.
	case m.Type == raftpb.MsgPreVoteResponse && m.Success:
		// A granted pre-vote carries the term we would campaign in; it is
		// not a sign that our term is stale.
	case isLeaderMessage(m.Type):
		r.becomeFollower(m.Term, m.From)
	default:
		r.becomeFollower(m.Term, 0)
	}
	return true
}

// inLeaderLease reports whether this node has heard from a leader within
// the election timeout (only tracked with check-quorum). A TimeoutNow-driven
// election (leadership transfer, thesis §3.10) is allowed through.
func (r *raft) inLeaderLease(m raftpb.Message) bool {
	return r.checkQuorum && r.lead != 0 && r.electionElapsed < r.electionTick && !m.Transfer
}

// answerStaleTerm handles a message from an older term. Figure 2 says to
// reject it; raft usually just drops it, but two kinds get an answer that
// carries our term, so that the sender learns it is behind:
//   - AppendEntries and Heartbeat from a deposed leader. With check-quorum
//     or Pre-Vote, a node whose term is ahead (it campaigned while cut off)
//     would otherwise never be heard by that leader, and the cluster could
//     stall with the leader ignoring it and it ignoring the leader.
//   - PreVote, so that a pre-candidate behind us stops campaigning.
func (r *raft) answerStaleTerm(m raftpb.Message) {
	switch {
	case (r.checkQuorum || r.preVote) && isLeaderMessage(m.Type):
		r.send(raftpb.Message{To: m.From, Type: raftpb.MsgAppendEntriesResponse})
	case m.Type == raftpb.MsgPreVote:
		r.send(raftpb.Message{To: m.From, Type: raftpb.MsgPreVoteResponse, Success: false})
	default:
		if r.debugOn {
			r.logger.Debug("ignoring stale message", "term", r.term, "msg", DescribeMessage(m))
		}
	}
}

// dispatch hands a message whose term has been dealt with to its handler.
func (r *raft) dispatch(m raftpb.Message) error {
	switch m.Type {
	case raftpb.MsgPropose:
		return r.handlePropose(m)
	case raftpb.MsgRequestVote, raftpb.MsgPreVote:
		r.handleVoteRequest(m)
	case raftpb.MsgRequestVoteResponse, raftpb.MsgPreVoteResponse:
		r.handleVoteResponse(m)
	case raftpb.MsgAppendEntries:
		if err := r.followLeaderOf(m); err != nil {
			return err
		}
		return r.handleAppendEntries(m)
	case raftpb.MsgHeartbeat:
		if err := r.followLeaderOf(m); err != nil {
			return err
		}
		return r.handleHeartbeat(m)
	case raftpb.MsgInstallSnapshot:
		if err := r.followLeaderOf(m); err != nil {
			return err
		}
		r.handleInstallSnapshot(m)
	case raftpb.MsgAppendEntriesResponse:
		return r.handleAppendEntriesResponse(m)
	case raftpb.MsgHeartbeatResponse:
		r.handleHeartbeatResponse(m)
	case raftpb.MsgTimeoutNow:
		r.handleTimeoutNow(m)
	case raftpb.MsgTransferLeadership:
		if r.role == RoleLeader {
			if err := r.transferLeadership(m.From); err != nil {
				r.logger.Warn("refusing a transfer", "term", r.term, "from", m.From, "err", err)
			}
		}
	case raftpb.MsgReadIndex:
		r.handleForwardedReads(m)
	case raftpb.MsgReadIndexResponse:
		r.handleReadIndexResponse(m)
	default:
		return fmt.Errorf("%w: %s from %d", ErrUnknownMessage, m.Type, m.From)
	}
	return nil
}

// followLeaderOf makes m's sender this term's leader (§5.2: a candidate
// that hears from a leader of its term returns to follower). It fails if m
// cannot be from a legitimate leader.
func (r *raft) followLeaderOf(m raftpb.Message) error {
	switch r.role {
	case RoleLeader:
		// Election Safety (§5.2) makes two leaders in one term impossible
		// unless the sender lost its persisted vote or term.
		r.logger.Error("another leader in my term; its storage must have lost state",
			"term", r.term, "msg", DescribeMessage(m))
		return fmt.Errorf("raft: leader %d of term %d got %s from %d of the same term; "+
			"node %d has lost persisted state", r.id, r.term, m.Type, m.From, m.From)
	case RoleCandidate, RolePreCandidate:
		r.becomeFollower(m.Term, m.From)
	}
	r.lead = m.From
	r.electionElapsed = 0
	return nil
}

// isVoteRequest reports whether t asks for a (pre-)vote.
func isVoteRequest(t raftpb.MessageType) bool {
	return t == raftpb.MsgRequestVote || t == raftpb.MsgPreVote
}

// isLeaderMessage reports whether only a leader sends t.
func isLeaderMessage(t raftpb.MessageType) bool {
	return t == raftpb.MsgAppendEntries || t == raftpb.MsgHeartbeat || t == raftpb.MsgInstallSnapshot
}
