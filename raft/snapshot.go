package raft

import (
	"errors"
	"fmt"

	"skiff/raft/raftpb"
)

// Log compaction and InstallSnapshot (thesis ch. 5). The driver snapshots
// its state machine and compacts its storage (MemoryStorage.CreateSnapshot,
// Compact); raft notices the compaction only when a follower needs an
// entry that is gone, and then sends the storage's snapshot instead.

// sendSnapshot sends the latest snapshot to a follower whose next entry was
// compacted away, and stops replicating to it until the snapshot is
// acknowledged or reported (thesis §5.2, "InstallSnapshot RPC"). It returns
// whether a message was sent.
func (r *raft) sendSnapshot(to uint64, pr *progress) bool {
	if !pr.RecentActive {
		// Do not ship a whole state machine to a node that may be down;
		// wait until it answers a heartbeat.
		return false
	}
	snap, err := r.log.snapshot()
	if errors.Is(err, ErrSnapshotTemporarilyUnavailable) {
		return false
	}
	if err != nil {
		panic(fmt.Sprintf("raft: entries for %d are compacted but the storage has no snapshot: %v", to, err))
	}
	if snap.IsEmpty() {
		panic(fmt.Sprintf("raft: entries for %d are compacted but the storage's snapshot is empty", to))
	}
	r.logger.Info("sending snapshot", "term", r.term, "to", to,
		"index", snap.Metadata.Index, "snapTerm", snap.Metadata.Term, "match", pr.Match)
	r.send(raftpb.Message{Type: raftpb.MsgInstallSnapshot, To: to, Snapshot: &snap})
	pr.becomeSnapshot(snap.Metadata.Index)
	return true
}

// snapshotDone reports whether a follower in StateSnapshot can go back to
// the log: it has the snapshot, or enough of the log that the leader's
// remaining entries follow on.
func (r *raft) snapshotDone(pr *progress) bool {
	return pr.Match >= pr.PendingSnapshot || pr.Match+1 >= r.log.firstIndex()
}

// ReportSnapshot tells the leader whether the InstallSnapshot it sent to id
// was delivered (failed false) or not. The driver must always report: until
// it does (or the follower answers), the leader sends id nothing more. After
// a failure the leader probes again, and sends a snapshot again if still
// needed.
func (n *Node) ReportSnapshot(id uint64, failed bool) {
	r := n.r
	pr := r.prs.progress[id]
	if r.role != RoleLeader || pr == nil || pr.State != StateSnapshot {
		return
	}
	r.logger.Info("snapshot reported", "term", r.term, "to", id, "failed", failed,
		"index", pr.PendingSnapshot)
	pr.becomeProbe()
	// Wait for the follower's next answer (to a heartbeat, at the latest)
	// before probing: a delivered snapshot may still be being installed.
	pr.ProbeSent = true
}

// handleInstallSnapshot is the receiver side of InstallSnapshot (thesis
// §5.2). The answer is an AppendEntriesResponse whose MatchIndex is the
// last index now known to match the leader's log.
func (r *raft) handleInstallSnapshot(m raftpb.Message) {
	s := *m.Snapshot
	resp := raftpb.Message{Type: raftpb.MsgAppendEntriesResponse, To: m.From, Success: true}
	switch idx, term := s.Metadata.Index, s.Metadata.Term; {
	case idx <= r.log.committed:
		// Old news (a duplicate, or the log caught up meanwhile).
		resp.MatchIndex = r.log.committed
	case r.log.matchTerm(idx, term):
		// "If existing log entry has same index and term as snapshot's
		// last included entry, retain log entries following it": the
		// snapshot's entries are already here, and now known committed.
		r.log.commitTo(idx)
		resp.MatchIndex = idx
	default:
		// "Discard the entire log" — including an entry at idx of another
		// term, which would otherwise make every later append fail
		// (hashicorp/raft#704) — and restore from the snapshot.
		r.logger.Info("restoring snapshot", "term", r.term, "index", idx, "snapTerm", term,
			"config", DescribeConfState(s.Metadata.ConfState))
		r.log.restore(s)
		r.appliedConf = s.Metadata.ConfState
		r.prs.setConfig(s.Metadata.ConfState, idx)
		resp.MatchIndex = idx
	}
	r.send(resp)
}
