package server

import (
	"errors"
	"fmt"
	"time"

	"skiff/raft"
	"skiff/raft/raftpb"
	"skiff/wal"
)

// applySnapshotToStorage loads a snapshot into raft's storage on restart.
func applySnapshotToStorage(ms *raft.MemoryStorage, snapshot raftpb.Snapshot) error {
	if err := ms.ApplySnapshot(snapshot); err != nil && !errors.Is(err, raft.ErrSnapOutOfDate) {
		return fmt.Errorf("server: raft storage refused snapshot %d: %w", snapshot.Metadata.Index, err)
	}
	return nil
}

// maybeSnapshot takes a snapshot once --snapshot-count entries were applied
// since the last one, or when --force-new-cluster needs one (force.go).
func (s *Server) maybeSnapshot() error {
	applied := s.applied.Load()
	if s.forceSnapshot && applied > max(s.forcedIndex, s.snapIndex.Load()) {
		s.forceSnapshot = false
		return s.takeSnapshot(applied)
	}
	if s.joinSnapshot {
		s.joinSnapshot = false
		return s.compactPastFirstEntry(applied)
	}
	if s.cfg.SnapshotCount == 0 || applied-s.snapIndex.Load() < s.cfg.SnapshotCount {
		return nil
	}
	return s.takeSnapshot(applied)
}

// takeSnapshot saves the store as of applied (contract §6.4):
//
//  1. the store's state goes into raft's storage as a snapshot at applied;
//  2. the snapshot file is written atomically and fsynced;
//  3. the WAL records a marker for it (only then may a restart use the file);
//  4. raft's log is compacted, keeping catchUpEntries for slow followers;
//  5. WAL segments before the snapshot are released.
func (s *Server) takeSnapshot(applied uint64) error {
	start := time.Now()
	data, err := s.store.Save()
	if err != nil {
		return fmt.Errorf("server: saving the store for a snapshot: %w", err)
	}
	cs := s.confState
	snapshot, err := s.storage.CreateSnapshot(applied, &cs, data)
	if errors.Is(err, raft.ErrSnapOutOfDate) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("server: creating snapshot %d: %w", applied, err)
	}
	if err := s.persistSnapshot(snapshot); err != nil {
		return err
	}
	if applied > s.catchUp() {
		if err := s.storage.Compact(applied - s.catchUp()); err != nil && !errors.Is(err, raft.ErrCompacted) {
			return fmt.Errorf("server: compacting raft's log to %d: %w", applied-s.catchUp(), err)
		}
	}
	s.metrics.snapshotDuration.Observe(time.Since(start).Seconds())
	s.lg.Info("took a snapshot", "index", applied, "term", snapshot.Metadata.Term, "bytes", len(data))
	return nil
}

// compactPastFirstEntry makes sure raft's log no longer holds index 1, so a
// member that joins gets a snapshot (join.go, step 4): it takes a snapshot
// at applied if the last one is older than index 1 can be dropped by, and
// compacts the log to at least index 1.
func (s *Server) compactPastFirstEntry(applied uint64) error {
	if first, err := s.storage.FirstIndex(); err != nil || first > 1 {
		return err
	}
	if s.snapIndex.Load() == 0 {
		if err := s.takeSnapshot(applied); err != nil {
			return err
		}
	}
	if err := s.storage.Compact(1); err != nil && !errors.Is(err, raft.ErrCompacted) {
		return fmt.Errorf("server: compacting raft's log past its first entry: %w", err)
	}
	return nil
}

// persistSnapshot writes the snapshot file, then its WAL marker, then
// releases the WAL before it.
func (s *Server) persistSnapshot(snapshot raftpb.Snapshot) error {
	if err := s.snapshotter.Save(snapshot); err != nil {
		return fmt.Errorf("cannot write snapshot %d (%w); check the disk under --data-dir", snapshot.Metadata.Index, err)
	}
	marker := wal.Snapshot{Index: snapshot.Metadata.Index, Term: snapshot.Metadata.Term}
	if err := s.wal.SaveSnapshot(marker); err != nil {
		return fmt.Errorf("cannot write the snapshot marker to the WAL (%w); check the disk, then restart the member", err)
	}
	s.snapIndex.Store(snapshot.Metadata.Index)
	if err := s.wal.ReleaseLockTo(snapshot.Metadata.Index); err != nil {
		s.lg.Warn("releasing old WAL segments", "err", err)
	}
	return nil
}

// installSnapshot saves a snapshot the leader sent (Ready.Snapshot) and
// loads it into raft's storage and the store: this member was too far behind
// for the log.
func (s *Server) installSnapshot(snapshot raftpb.Snapshot) error {
	if err := s.persistSnapshot(snapshot); err != nil {
		return err
	}
	if err := applySnapshotToStorage(s.storage, snapshot); err != nil {
		return err
	}
	if err := s.store.Recovery(snapshot.Data); err != nil {
		return fmt.Errorf("server: loading snapshot %d from the leader: %w", snapshot.Metadata.Index, err)
	}
	s.setConfState(snapshot.Metadata.ConfState)
	s.applied.Store(snapshot.Metadata.Index)
	s.snapsInstalled.Add(1)
	s.syncPeers()
	s.lg.Info("installed a snapshot from the leader", "index", snapshot.Metadata.Index, "term", snapshot.Metadata.Term)
	return nil
}

// reportSnapshot tells raft whether a snapshot reached a follower.
func (s *Server) reportSnapshot(id uint64, failed bool) {
	s.node.ReportSnapshot(id, failed)
}
