package server

import (
	"fmt"
	"time"

	"skiff/raft"
	"skiff/raft/raftpb"
)

// handleReady handles one Ready in the order the driver's contract asks
// (raft.Ready, thesis §3.8 and §10.2.1):
//
//  1. a leader whose term and vote did not change sends its messages
//     (appends, heartbeats) at once: its own copy of the entries counts
//     toward commitment only after Advance, so sending before its fsync is
//     safe and saves a disk latency per round (§10.2.1);
//  2. the hard state and the entries go to the WAL with one fsync, and a
//     snapshot received from the leader is saved and installed;
//  3. raft's storage learns them (raft reads entries to send from it);
//  4. every other member sends its messages now, after its state is durable;
//  5. committed entries are applied to the store, waking their requests,
//     and read indexes are handed to the linearizable reads waiting for them;
//  6. a snapshot is taken if enough entries were applied since the last;
//  7. Advance.
func (s *Server) handleReady() error {
	rd := s.node.Ready()
	if rd.SoftState != nil {
		s.noteSoftState(rd.SoftState)
	}
	if rd.HardState.Term != 0 {
		s.term.Store(rd.HardState.Term)
		s.metrics.term.Set(float64(rd.HardState.Term))
		s.commit.Store(rd.HardState.Commit)
	}
	early := s.isLeader.Load() && !termOrVoteChanged(s.lastHard, rd.HardState)
	if early {
		s.send(rd.Messages)
	}
	if err := s.persist(rd); err != nil {
		return err
	}
	if !early {
		s.send(rd.Messages)
	}
	if err := s.applyEntries(rd.CommittedEntries); err != nil {
		return err
	}
	s.appliedW.appliedTo(s.applied.Load())
	s.handleReadStates(rd.ReadStates)
	if err := s.maybeSnapshot(); err != nil {
		return err
	}
	s.node.Advance()
	return nil
}

// persist makes the Ready's hard state, entries and snapshot durable and
// hands them to raft's storage.
func (s *Server) persist(rd raft.Ready) error {
	if !rd.Snapshot.IsEmpty() {
		if err := s.installSnapshot(rd.Snapshot); err != nil {
			return err
		}
	}
	start := time.Now()
	if err := s.wal.Save(rd.HardState, rd.Entries); err != nil {
		return fmt.Errorf("cannot write to the WAL (%w); the member stops to protect its data: check the disk, then restart it", err)
	}
	if rd.MustSync {
		s.metrics.fsyncDuration.Observe(time.Since(start).Seconds())
	}
	if !rd.HardState.IsEmpty() {
		s.lastHard = rd.HardState
		if err := s.storage.SetHardState(rd.HardState); err != nil {
			return err
		}
	}
	if len(rd.Entries) > 0 {
		if err := s.storage.Append(rd.Entries); err != nil {
			return fmt.Errorf("server: raft storage refused entries: %w", err)
		}
	}
	return nil
}

// send hands messages to the transport, which never blocks.
func (s *Server) send(msgs []raftpb.Message) {
	if len(msgs) == 0 {
		return
	}
	if s.isLeader.Load() {
		s.latency.noteSent(msgs, time.Now())
	}
	s.transport.Send(msgs)
}

// noteSoftState publishes a change of leader or role.
func (s *Server) noteSoftState(ss *raft.SoftState) {
	leader := ss.Role == raft.RoleLeader
	if ss.Lead != s.lead.Load() {
		s.metrics.leaderChanges.Inc()
		s.lg.Info("leader changed", "member", hexID(s.id), "leader", hexID(ss.Lead), "role", ss.Role.String())
	}
	if leader {
		s.metrics.isLeader.Set(1)
	} else {
		s.metrics.isLeader.Set(0)
	}
	s.metrics.hasLeader.Set(boolGauge(ss.Lead != 0))
	s.setLeader(ss.Lead, leader)
}

func boolGauge(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// termOrVoteChanged reports whether hs changes currentTerm or votedFor: then
// even a leader must not send before the change is durable (a vote must
// never outrun the disk, thesis §3.8).
func termOrVoteChanged(prev, hs raftpb.HardState) bool {
	return !hs.IsEmpty() && (hs.Term != prev.Term || hs.Vote != prev.Vote)
}
