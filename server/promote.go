package server

import (
	"errors"
	"slices"
	"sync/atomic"

	"skiff/raft"
	"skiff/raft/raftpb"
)

// A member added at runtime joins as a raft learner (thesis §4.2.1, "new
// servers join as non-voting members until they catch up"): it receives the
// log but counts neither in elections nor for commitment, so adding a member
// that is slow, far behind or not even started costs the cluster no
// availability. etcd's v2 API has no learners; skiff keeps that API
// unchanged (the member shows in /v2/members at once) and promotes the
// learner by itself:
//
//  1. on every tick the leader looks at its learners' progress
//     (maybePromoteLearner); a learner is ready once it answered within the
//     last election timeout, is replicating (not waiting for a snapshot) and
//     its Match is within promoteLag entries of the commit index (it keeps
//     pace with the voters);
//  2. the leader proposes ConfChangeAddNode for it, one change at a time:
//     while another change is pending raft refuses with
//     ErrConfChangePending, and the next tick tries again; the promotion
//     must also leave an active quorum of voters (Status.SafeConfChange),
//     which a learner that just answered does;
//  3. like every change, it takes effect when applied (reconfig.go), on
//     every member alike; the configuration, learners included, is in every
//     snapshot and replayed from the WAL, so a member restarting during the
//     learner phase still sees a learner until the promotion commits.
//
// A learner can be removed like any member (RemoveMember); its ID is then
// refused for good, as any removed member's. A running learner that missed
// its removal notices it from its peers' member lists (removalWatch, with
// isLearner): it never campaigns, so unlike a voter it would otherwise keep
// waiting for its old leader.

// promoteLag is how many entries a learner's Match may trail the leader's
// commit index and still be promoted: one proposal batch. Small, so the new
// voter can help commit almost at once; but not zero, because under a
// steady write load a follower's acknowledgement always runs up to a batch
// behind, and the learner is compared with what the voters have
// acknowledged (the commit index), not with the leader's own log, which
// under load is always ahead of every follower's.
const promoteLag = maxProposalBatch

// maybePromoteLearner, on the leader, proposes promoting the first learner
// that has caught up. It runs in the raft loop, after each tick.
func (s *Server) maybePromoteLearner() {
	if len(s.confState.Learners) == 0 || !s.isLeader.Load() || holdPromotions.Load() {
		return
	}
	st := s.node.Status()
	id := caughtUpLearner(st)
	if id == 0 {
		return
	}
	cc := raftpb.ConfChange{Type: raftpb.ConfChangeAddNode, NodeID: id, ID: s.reqIDs.newID()}
	if err := st.SafeConfChange(cc); err != nil {
		s.lg.Debug("not promoting a learner yet", "member", hexID(id), "err", err)
		return
	}
	err := s.node.ProposeConfChange(cc)
	switch {
	case err == nil:
		s.lg.Info("promoting a learner that caught up", "member", hexID(id), "match", st.Progress[id].Match, "commit", st.Commit)
	case !errors.Is(err, raft.ErrConfChangePending):
		s.lg.Warn("proposing a learner's promotion failed; retrying", "member", hexID(id), "err", err)
	}
}

// caughtUpLearner returns a learner ready for promotion in the leader's
// status st, or 0.
func caughtUpLearner(st raft.Status) uint64 {
	for _, id := range st.Config.Learners {
		pr, ok := st.Progress[id]
		if ok && pr.IsLearner && pr.Active && pr.State == raft.StateReplicate && pr.Match+promoteLag >= st.Commit {
			return id
		}
	}
	return 0
}

// holdPromotions keeps learners learners, for tests of the learner phase.
var holdPromotions atomic.Bool

// setConfState records the configuration this member has applied (from
// the bootstrap, a snapshot or a configuration change) and publishes its
// learners in the metrics.
func (s *Server) setConfState(cs raftpb.ConfState) {
	s.confState = cs
	s.metrics.isLearner.Set(boolGauge(slices.Contains(cs.Learners, s.id)))
	s.metrics.learners.Set(float64(len(cs.Learners)))
}

// isLearner reports whether this member is a learner in the configuration
// it has applied.
func (s *Server) isLearner() bool {
	return slices.Contains(s.RaftStatus().Config.Learners, s.id)
}
