package server

import (
	"errors"

	"skiff/raft"
	"skiff/raft/raftpb"
)

// NOTE for the raft owners: the server side of snapshots waits for
// MemoryStorage.ApplySnapshot, CreateSnapshot and Compact, Node.ReportSnapshot
// and Node.ApplyConfChange. Until they land the member takes no snapshots,
// so no snapshot file exists to restart from.

// errNoSnapshotAPI is returned when a snapshot must be installed before the
// raft snapshot API exists.
var errNoSnapshotAPI = errors.New("server: this build's raft package cannot install snapshots yet")

// applySnapshotToStorage loads a snapshot into raft's storage on restart.
func applySnapshotToStorage(_ *raft.MemoryStorage, _ raftpb.Snapshot) error {
	return errNoSnapshotAPI
}

// installSnapshot saves a snapshot the leader sent and loads it into the
// store.
func (s *Server) installSnapshot(_ raftpb.Snapshot) error {
	return errNoSnapshotAPI
}

// maybeSnapshot takes a snapshot once --snapshot-count entries were applied
// since the last one.
func (s *Server) maybeSnapshot() error { return nil }

// reportSnapshot tells raft whether a snapshot reached a follower.
func (s *Server) reportSnapshot(id uint64, failed bool) {
	s.lg.Debug("snapshot report", "to", hexID(id), "failed", failed)
}

// applyConfChange applies a membership change entry.
func (s *Server) applyConfChange(e raftpb.Entry) error {
	s.lg.Warn("skipping a configuration change: this build's raft cannot apply them yet", "index", e.Index)
	return nil
}
