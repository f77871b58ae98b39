package raft

import (
	"errors"
	"fmt"

	"skiff/raft/raftpb"
)

// handlePropose takes client commands (§5.3: "the leader appends the
// command to its log as a new entry"). A follower forwards them to the
// leader; without a leader they are dropped.
func (r *raft) handlePropose(m raftpb.Message) error {
	if len(m.Entries) == 0 {
		return fmt.Errorf("raft: proposal from %d carries no entries", m.From)
	}
	switch r.role {
	case RoleLeader:
		return r.proposeAsLeader(m.From == r.id, m.Entries...)
	case RoleFollower:
		if r.lead == 0 {
			return errNoLeader
		}
		m.To, m.Term = r.lead, 0
		r.send(m)
		return nil
	}
	return errNoLeader // a (pre-)candidate knows no leader
}

var errNoLeader = fmt.Errorf("%w: no leader is known; retry once one is elected", ErrProposalDropped)

// proposeAsLeader appends a client's proposal unless a leadership
// transfer is under way (thesis §3.10), the uncommitted log is over its
// bound, or a configuration change in it is refused (membership.go).
// local says whether the proposal came from this node's driver.
func (r *raft) proposeAsLeader(local bool, ents ...raftpb.Entry) error {
	if r.leadTransferee != 0 {
		return fmt.Errorf("%w: leadership is being transferred to %d", ErrProposalDropped, r.leadTransferee)
	}
	size := payloadSize(ents)
	if r.uncommittedSize > 0 && r.uncommittedSize+size > r.maxUncommittedSize {
		// Without a quorum nothing commits; refuse rather than grow
		// without limit. One proposal is always taken, however large.
		return fmt.Errorf("%w: %d bytes of proposals await commitment (MaxUncommittedEntriesSize is %d)",
			ErrProposalDropped, r.uncommittedSize, r.maxUncommittedSize)
	}
	ents, err := r.admitConfChanges(local, ents)
	if err != nil {
		return err
	}
	if len(ents) > 0 {
		r.uncommittedSize += size
		r.appendEntries(ents...)
	}
	return nil
}

// reduceUncommitted forgets the payload of entries the leader hands out as
// committed.
func (r *raft) reduceUncommitted(ents []raftpb.Entry) {
	if r.role == RoleLeader {
		r.uncommittedSize -= min(r.uncommittedSize, payloadSize(ents))
	}
}

func payloadSize(ents []raftpb.Entry) uint64 {
	var n uint64
	for i := range ents {
		n += uint64(len(ents[i].Data))
	}
	return n
}

// appendEntries adds entries of the current term to the leader's log and
// schedules them to be sent. Term and Index are assigned on raft's own copy;
// the caller's slice is not modified. The leader's own copy counts towards
// a quorum only once the driver has persisted it (Node.Advance; thesis
// §10.2.1).
func (r *raft) appendEntries(ents ...raftpb.Entry) {
	r.log.appendAsLeader(r.term, ents)
	r.broadcastPending = true
}

// flushBroadcast sends what the leader has accumulated since the last Ready:
// new entries and a new commit index, one AppendEntries per follower.
func (r *raft) flushBroadcast() {
	if r.broadcastPending && r.role == RoleLeader {
		r.bcastAppend()
	}
	r.broadcastPending = false
}

// bcastAppend sends AppendEntries to every other member that is not
// paused, filling each one's in-flight window.
func (r *raft) bcastAppend() {
	for _, id := range r.prs.ids {
		if id == r.id {
			continue
		}
		r.sendAppend(id, true)
		for r.sendAppend(id, false) {
		}
	}
}

// sendAppend sends one AppendEntries to `to` from its nextIndex (§5.3). With
// sendIfEmpty false it sends only if there are entries to carry. It returns
// whether a message was sent.
func (r *raft) sendAppend(to uint64, sendIfEmpty bool) bool {
	pr := r.prs.progress[to]
	if pr == nil || pr.isPaused() {
		return false
	}
	prevLogIndex := pr.Next - 1
	prevLogTerm, err := r.log.term(prevLogIndex)
	if errors.Is(err, ErrCompacted) {
		// The entry at prevLogIndex is gone into a snapshot: the follower
		// needs InstallSnapshot (thesis ch. 5).
		return r.sendSnapshot(to, pr)
	}
	if err != nil {
		panic(fmt.Sprintf("raft: no term for entry %d below the last index %d: %v", prevLogIndex, r.log.lastIndex(), err))
	}
	ents, err := r.log.entries(pr.Next, r.maxMsgSize)
	if errors.Is(err, ErrCompacted) {
		return r.sendSnapshot(to, pr) // compacted since the term lookup
	}
	if err != nil {
		panic(fmt.Sprintf("raft: cannot read entries from %d to send to %d: %v", pr.Next, to, err))
	}
	if len(ents) == 0 && !sendIfEmpty {
		return false
	}
	r.send(raftpb.Message{
		Type: raftpb.MsgAppendEntries, To: to,
		PrevLogIndex: prevLogIndex, PrevLogTerm: prevLogTerm,
		Entries: ents, LeaderCommit: r.log.committed,
	})
	if n := len(ents); n > 0 {
		pr.sentEntries(n, ents[n-1].Index, entsSize(ents))
	} else {
		pr.sentEntries(0, prevLogIndex, 0)
	}
	return true
}

// bcastHeartbeat sends a Heartbeat to every other member (§5.2).
func (r *raft) bcastHeartbeat() { r.bcastHeartbeatWith(nil) }

// bcastHeartbeatWith sends a Heartbeat carrying ctx, which the answers echo
// (a ReadIndex round uses it to count who still follows, thesis §6.4).
func (r *raft) bcastHeartbeatWith(ctx []byte) {
	for _, id := range r.prs.ids {
		if id == r.id {
			continue
		}
		// The follower commits this index without checking prevLogTerm, so
		// it must not exceed what the leader knows the follower holds.
		commit := min(r.prs.progress[id].Match, r.log.committed)
		r.send(raftpb.Message{Type: raftpb.MsgHeartbeat, To: id, LeaderCommit: commit, Context: ctx})
	}
}

// handleAppendEntriesResponse is the leader's reaction to a follower's
// answer (Figure 2, Rules for Servers, Leaders: "If successful: update
// nextIndex and matchIndex for follower; if AppendEntries fails because of
// log inconsistency: decrement nextIndex and retry").
func (r *raft) handleAppendEntriesResponse(m raftpb.Message) error {
	pr := r.prs.progress[m.From]
	if r.role != RoleLeader || pr == nil {
		return nil
	}
	if m.Success && m.MatchIndex > r.log.lastIndex() {
		return fmt.Errorf("raft: %d acknowledged index %d, past the leader's last index %d",
			m.From, m.MatchIndex, r.log.lastIndex())
	}
	pr.heard()
	if !m.Success {
		r.handleAppendRejection(pr, m)
		return nil
	}
	updated := pr.maybeUpdate(m.MatchIndex)
	if pr.State == StateSnapshot && r.snapshotDone(pr) {
		pr.becomeProbe() // resume from Match, which the follower just confirmed
	}
	if !updated {
		return nil // stale or duplicated answer
	}
	switch pr.State {
	case StateProbe:
		pr.becomeReplicate()
	case StateReplicate:
		pr.inflights.freeLE(m.MatchIndex)
	}
	if r.maybeCommit() {
		r.broadcastPending = true // tell everyone the new commit index
	}
	if m.From == r.leadTransferee && pr.Match == r.log.lastIndex() {
		r.sendTimeoutNow(m.From) // the target has caught up (thesis §3.10)
	}
	for r.sendAppend(m.From, false) {
		// Fill the follower's window with whatever else is waiting.
	}
	return nil
}

// handleAppendRejection moves nextIndex back after a consistency check
// failed. The follower's hint (ConflictIndex, ConflictTerm) is the last
// index at or below prevLogIndex whose term is at most prevLogTerm; the
// leader then skips every index above the last one of its own at or below
// the hint whose term is at most ConflictTerm. A divergent tail of many
// entries and terms is crossed in one or two round trips instead of one
// per entry (end of §5.3).
func (r *raft) handleAppendRejection(pr *progress, m raftpb.Message) {
	matchHint, _ := r.log.findConflictByTerm(m.ConflictIndex, m.ConflictTerm)
	if !pr.maybeDecrTo(m.MatchIndex, matchHint) {
		return
	}
	if r.debugOn {
		r.logger.Debug("append rejected; backing up", "term", r.term, "from", m.From,
			"rejected", m.MatchIndex, "hint", matchHint, "next", pr.Next)
	}
	if pr.State == StateReplicate {
		pr.becomeProbe()
	}
	r.sendAppend(m.From, true)
}

// handleHeartbeatResponse notes that the follower is alive and resumes
// sending to it if it is behind.
func (r *raft) handleHeartbeatResponse(m raftpb.Message) {
	pr := r.prs.progress[m.From]
	if r.role != RoleLeader || pr == nil {
		return
	}
	pr.heard()
	pr.ProbeSent = false
	if len(m.Context) > 0 {
		r.handleReadAck(m.From, m.Context)
	}
	if pr.State == StateReplicate && pr.inflights.full() {
		pr.inflights.freeFirstOne()
	}
	if pr.Match < r.log.lastIndex() {
		// Behind: send from nextIndex even if nothing new is there. If an
		// earlier append was lost, the follower rejects this one and the
		// leader backs up (a dropped message is never waited on forever).
		r.sendAppend(m.From, true)
	}
}

// maybeCommit advances commitIndex to the highest index a majority holds,
// provided that entry is of the current term. §5.4.2: a leader never
// commits an entry of an earlier term by counting replicas (Figure 8);
// those become committed indirectly when an entry of its own term does.
func (r *raft) maybeCommit() bool {
	n := r.prs.committed()
	if n <= r.log.committed {
		return false
	}
	if t, err := r.log.term(n); err != nil || t != r.term {
		return false
	}
	r.log.commitTo(n)
	return true
}
