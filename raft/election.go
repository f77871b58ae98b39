package raft

import "skiff/raft/raftpb"

// tick advances logical time by one tick.
func (r *raft) tick() {
	if r.role == RoleLeader {
		r.tickLeader()
		return
	}
	r.tickElection()
}

// tickElection is a follower's or candidate's clock: if no leader was heard
// from and no vote granted for the randomized election timeout, start an
// election (§5.2).
func (r *raft) tickElection() {
	r.electionElapsed++
	if r.promotable() && r.electionElapsed >= r.randomizedElectionTimeout {
		r.electionElapsed = 0
		r.hup()
	}
}

// tickLeader sends heartbeats every heartbeatTick (§5.2: "to maintain their
// authority"), and once per election timeout checks that a quorum is still
// listening (check-quorum, thesis §6.2).
func (r *raft) tickLeader() {
	r.heartbeatElapsed++
	r.electionElapsed++
	for _, id := range r.prs.ids {
		if pr := r.prs.progress[id]; id != r.id && pr.sinceHeard < r.electionTick {
			pr.sinceHeard++
		}
	}
	if r.electionElapsed >= r.electionTick {
		r.electionElapsed = 0
		if r.checkQuorum && !r.prs.quorumActive(r.id) {
			r.logger.Info("stepping down: no quorum heard from for an election timeout", "term", r.term)
			r.becomeFollower(r.term, 0)
			return
		}
		if r.leadTransferee != 0 {
			r.abortTransfer("no new leader within an election timeout") // thesis §3.10
		}
	}
	if r.heartbeatElapsed >= r.heartbeatTick {
		r.heartbeatElapsed = 0
		r.bcastHeartbeat()
	}
}

// hup starts an election: with Pre-Vote a pre-election first, else a real
// one.
func (r *raft) hup() {
	switch {
	case r.role == RoleLeader:
		return
	case !r.promotable():
		r.logger.Warn("cannot campaign: not a voter", "term", r.term)
	case r.hasUnappliedConfChange():
		// Rule 3 of membership.go: apply it first, or this node could
		// lead with a configuration two changes old.
		r.logger.Info("not campaigning: a committed configuration change is not applied yet", "term", r.term)
	case r.preVote:
		r.campaign(RolePreCandidate, false)
	default:
		r.campaign(RoleCandidate, false)
	}
}

// campaign starts a (pre-)election: become (pre-)candidate, vote for self
// and ask every other voter (§5.2 "On conversion to candidate"; thesis §9.6
// for the pre-vote, which asks with term+1 without adopting it). transfer
// marks an election asked for by the leader (thesis §3.10).
func (r *raft) campaign(role Role, transfer bool) {
	voteType, term := raftpb.MsgRequestVote, r.term
	if role == RolePreCandidate {
		r.becomePreCandidate()
		voteType, term = raftpb.MsgPreVote, r.term+1
	} else {
		r.becomeCandidate()
		term = r.term
	}
	if r.countVote(r.id, true) {
		return // a single-voter cluster wins at once
	}
	lastIndex, lastTerm := r.log.lastIndex(), r.log.lastTerm()
	for _, id := range r.prs.voters {
		if id == r.id {
			continue
		}
		r.send(raftpb.Message{Type: voteType, To: id, Term: term,
			LastLogIndex: lastIndex, LastLogTerm: lastTerm, Transfer: transfer})
	}
}

// handleVoteRequest answers RequestVote and PreVote (Figure 2, RequestVote
// receiver implementation).
func (r *raft) handleVoteRequest(m raftpb.Message) {
	respType := raftpb.MsgRequestVoteResponse
	if m.Type == raftpb.MsgPreVote {
		respType = raftpb.MsgPreVoteResponse
	}
	// Rule 2: grant if votedFor is null or candidateId ... A pre-vote for a
	// later term is granted as if we had not voted (§9.6); a node that
	// follows a leader of this term has, in effect, already chosen.
	canVote := r.vote == m.From ||
		(r.vote == 0 && r.lead == 0) ||
		(m.Type == raftpb.MsgPreVote && m.Term > r.term)
	// ... and the candidate's log is at least as up-to-date (§5.4.1).
	if canVote && r.log.isUpToDate(m.LastLogIndex, m.LastLogTerm) {
		// A granted answer carries the request's term: for a pre-vote that
		// is the future term, which the pre-candidate must not mistake for
		// a reason to step down.
		r.send(raftpb.Message{To: m.From, Term: m.Term, Type: respType, Success: true})
		if m.Type == raftpb.MsgRequestVote {
			r.electionElapsed = 0 // §5.2: granting a vote resets the timer
			r.vote = m.From
		}
		return
	}
	r.send(raftpb.Message{To: m.From, Term: r.term, Type: respType, Success: false})
}

// handleVoteResponse counts an answer to our (pre-)vote request (§5.2: a
// candidate wins with votes from a majority of the servers).
func (r *raft) handleVoteResponse(m raftpb.Message) {
	want := raftpb.MsgRequestVoteResponse
	if r.role == RolePreCandidate {
		want = raftpb.MsgPreVoteResponse
	}
	if m.Type != want || (r.role != RoleCandidate && r.role != RolePreCandidate) {
		return // an answer to an election we are no longer running
	}
	r.countVote(m.From, m.Success)
}

// countVote records one answer and acts on the outcome. It returns true if
// the election is decided.
func (r *raft) countVote(from uint64, granted bool) bool {
	r.prs.recordVote(from, granted)
	yes, no, result := r.prs.tallyVotes()
	if r.debugOn {
		r.logger.Debug("vote tally", "term", r.term, "role", r.role, "from", from,
			"granted", yes, "rejected", no)
	}
	switch result {
	case voteWon:
		if r.role == RolePreCandidate {
			r.campaign(RoleCandidate, false) // §9.6: the pre-vote succeeded; hold the real election
		} else {
			r.becomeLeader()
			r.bcastAppend()
		}
		return true
	case voteLost:
		r.becomeFollower(r.term, 0)
		return true
	}
	return false
}
