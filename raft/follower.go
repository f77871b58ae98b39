package raft

import (
	"fmt"

	"skiff/raft/raftpb"
)

// handleAppendEntries is the receiver side of AppendEntries (Figure 2,
// "AppendEntries RPC, Receiver implementation"); the term check (rule 1) has
// already been done by step.
func (r *raft) handleAppendEntries(m raftpb.Message) error {
	resp := raftpb.Message{To: m.From, Type: raftpb.MsgAppendEntriesResponse}
	if m.PrevLogIndex < r.log.committed {
		// Everything up to our commit index is known to match (Log
		// Matching); tell the leader so it resends from there.
		resp.Success, resp.MatchIndex = true, r.log.committed
		r.send(resp)
		return nil
	}
	lastNew, ok, err := r.log.maybeAppend(m.PrevLogIndex, m.PrevLogTerm, m.LeaderCommit, m.Entries)
	if err != nil {
		r.logger.Error("refusing AppendEntries", "term", r.term, "msg", DescribeMessage(m), "err", err)
		return err
	}
	if ok {
		resp.Success, resp.MatchIndex = true, lastNew
		r.send(resp)
		return nil
	}
	// Rule 2 failed: no entry at prevLogIndex with prevLogTerm. Hint where
	// the logs may match: the last index at or below prevLogIndex whose term
	// is at most prevLogTerm (every entry after it has a larger term, so
	// none of them can match the leader's entry at the same index).
	hintIndex, hintTerm := r.log.findConflictByTerm(min(m.PrevLogIndex, r.log.lastIndex()), m.PrevLogTerm)
	resp.MatchIndex = m.PrevLogIndex // the index rejected
	resp.ConflictIndex, resp.ConflictTerm = hintIndex, hintTerm
	if r.debugOn {
		r.logger.Debug("rejecting append", "term", r.term, "prevLogIndex", m.PrevLogIndex,
			"prevLogTerm", m.PrevLogTerm, "conflictIndex", hintIndex, "conflictTerm", hintTerm)
	}
	r.send(resp)
	return nil
}

// handleHeartbeat resets the election timer (done by followLeaderOf) and
// learns the commit index. The leader sends at most the follower's
// matchIndex, so the entry committed here is known to match.
func (r *raft) handleHeartbeat(m raftpb.Message) error {
	if m.LeaderCommit > r.log.lastIndex() {
		return fmt.Errorf("raft: Heartbeat from %d commits index %d beyond this log's last index %d; "+
			"the leader thinks this node holds entries it does not (lost persisted state?)",
			m.From, m.LeaderCommit, r.log.lastIndex())
	}
	r.log.commitTo(m.LeaderCommit)
	r.send(raftpb.Message{To: m.From, Type: raftpb.MsgHeartbeatResponse, Context: m.Context})
	return nil
}
