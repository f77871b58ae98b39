package server

import (
	"context"
	"errors"
	"fmt"

	"skiff/raft"
	"skiff/raft/raftpb"
	"skiff/server/config"
	"skiff/server/discovery"
	"skiff/snap"
	"skiff/store"
	"skiff/wal"
	"skiff/wal/vfs"
)

// openStorage prepares the member's durable state: a brand-new member
// creates its WAL and bootstraps (bootstrapNew); a member whose data dir
// already holds a WAL restarts from its newest snapshot and the WAL after it
// (restart). Either way it leaves s.wal, s.storage, s.store and s.meta ready
// and returns the index the store has applied up to.
func (s *Server) openStorage() (applied uint64, err error) {
	dirs := s.cfg.Dirs()
	if err := s.fs().MkdirAll(dirs.Snap); err != nil {
		return 0, fmt.Errorf("cannot create the snapshot directory %s (%w); check --data-dir and its permissions", dirs.Snap, err)
	}
	s.snapshotter = snap.NewWithOptions(dirs.Snap, snap.Options{FS: s.opts.FS, Logger: s.lg, MaxSnapshots: int(s.cfg.MaxSnapshots)})
	s.storage = raft.NewMemoryStorage()
	s.store = store.New()
	if wal.Exist(dirs.WAL, s.walOptions()) {
		return s.restart(dirs)
	}
	return 0, s.bootstrapNew(dirs)
}

func (s *Server) walOptions() wal.Options {
	return wal.Options{FS: s.opts.FS, Logger: s.lg, MaxSegments: int(s.cfg.MaxWALs)}
}

// fs is the file system the member's data is written through.
func (s *Server) fs() vfs.FS {
	if s.opts.FS != nil {
		return s.opts.FS
	}
	return vfs.OS
}

// bootstrapNew founds a new static cluster from --initial-cluster: every
// member derives the same member and cluster IDs (contract §8), starts raft
// with the initial members as voters, and writes their peer URLs into the
// store's /0 namespace the same way.
func (s *Server) bootstrapNew(dirs config.Dirs) error {
	if err := s.discoverCluster(); err != nil {
		return err
	}
	if err := s.cfg.ValidateBootstrap(); err != nil {
		return err
	}
	if s.cfg.InitialClusterState == config.ClusterStateExisting {
		return s.bootstrapJoin(dirs)
	}
	cluster, err := s.cfg.InitialMembers()
	if err != nil {
		return err
	}
	self, ok := cluster.MemberByName(s.cfg.Name)
	if !ok {
		return fmt.Errorf("member %q is not in --initial-cluster; add it or fix --name", s.cfg.Name)
	}
	s.meta = metadata{MemberID: uint64(self.ID), ClusterID: uint64(cluster.ID)}
	for _, m := range cluster.Members {
		s.meta.Initial = append(s.meta.Initial, initialMember{ID: uint64(m.ID), PeerURLs: m.PeerURLs})
	}
	s.id, s.clusterID = s.meta.MemberID, s.meta.ClusterID
	w, err := wal.Create(dirs.WAL, s.meta.marshal(), s.walOptions())
	if err != nil {
		return fmt.Errorf("cannot create the WAL in %s: %w; check --data-dir (or --wal-dir) and its permissions", dirs.WAL, err)
	}
	s.wal = w
	s.setConfState(raftpb.ConfState{Voters: s.meta.voters()})
	if err := s.storage.Bootstrap(s.confState); err != nil {
		return err
	}
	s.lg.Info("bootstrapping a new cluster", "member", hexID(s.id), "cluster", hexID(s.clusterID),
		"initial-cluster", s.cfg.InitialCluster)
	return bootstrapMembers(s.store, s.meta.Initial)
}

// discoverCluster replaces --initial-cluster with the cluster that
// --discovery or --discovery-srv finds (contract §7; server/discovery). It
// blocks until the discovery service lists every member of the new cluster.
func (s *Server) discoverCluster() error {
	if s.cfg.Discovery == "" && s.cfg.DiscoverySRV == "" {
		return nil
	}
	initial, err := discovery.Bootstrap(context.Background(), s.cfg, s.lg, nil)
	if err != nil {
		return err
	}
	s.lg.Info("discovered the initial cluster", "initial-cluster", initial)
	s.cfg.InitialCluster = initial
	return nil
}

// restart reopens the member's data dir: the newest snapshot whose marker is
// in the WAL, then every WAL entry after it. The --initial-* flags no longer
// matter (contract §6.4).
func (s *Server) restart(dirs config.Dirs) (uint64, error) {
	snapshot, err := s.loadSnapshot(dirs)
	if err != nil {
		return 0, err
	}
	w, err := wal.Open(dirs.WAL, wal.Snapshot{Index: snapshot.Metadata.Index, Term: snapshot.Metadata.Term}, s.walOptions())
	if err != nil {
		return 0, s.openError(dirs, err)
	}
	s.wal = w
	metaBytes, hs, ents, err := w.ReadAll()
	if err != nil {
		return 0, fmt.Errorf("cannot read the WAL in %s: %w; restore the data dir from a backup, or remove it and add the member again", dirs.WAL, err)
	}
	if err := s.meta.unmarshal(metaBytes); err != nil {
		return 0, fmt.Errorf("the WAL in %s has unreadable metadata (%w); it was not written by this skiff", dirs.WAL, err)
	}
	s.id, s.clusterID = s.meta.MemberID, s.meta.ClusterID
	if err := s.checkClusterFlags(dirs); err != nil {
		return 0, err
	}
	if s.cfg.IsSet("initial-cluster") || s.cfg.IsSet("initial-cluster-state") || s.cfg.IsSet("initial-cluster-token") {
		s.lg.Info("the data dir already holds a WAL, so the --initial-cluster* settings are ignored", "data-dir", dirs.Data)
	}
	if err := s.restoreState(snapshot); err != nil {
		return 0, err
	}
	hs = atLeastSnapshot(hs, snapshot.Metadata)
	if s.cfg.ForceNewCluster {
		hs, ents = s.forceNewCluster(hs, ents)
	}
	if err := s.storage.SetHardState(hs); err != nil {
		return 0, err
	}
	s.lastHard = hs
	if err := s.storage.Append(ents); err != nil {
		return 0, err
	}
	s.lg.Info("restarting member", "member", hexID(s.id), "cluster", hexID(s.clusterID),
		"snapshot-index", snapshot.Metadata.Index, "term", hs.Term, "commit", hs.Commit, "entries", len(ents))
	return snapshot.Metadata.Index, nil
}

// atLeastSnapshot lifts a hard state that is older than the snapshot it is
// restored with. A crash between a snapshot's WAL marker and the hard state
// saved in the same Ready leaves exactly that (ready.go persists the
// snapshot first): the snapshot holds only committed entries, so its index
// is committed; and a member that never persisted anything in the snapshot's
// term never voted in it, so it may take that term with no vote.
func atLeastSnapshot(hs raftpb.HardState, md raftpb.SnapshotMetadata) raftpb.HardState {
	if hs.Commit < md.Index {
		hs.Commit = md.Index
	}
	if hs.Term < md.Term {
		hs.Term, hs.Vote = md.Term, 0
	}
	return hs
}

// openError turns a failure to open the WAL into advice.
func (s *Server) openError(dirs config.Dirs, err error) error {
	if errors.Is(err, errLocked) {
		return fmt.Errorf("the WAL in %s is in use by another skiff process (%w); stop it or choose another --data-dir", dirs.WAL, err)
	}
	return fmt.Errorf("cannot open the WAL in %s: %w; restore the data dir from a backup, or remove it and add the member again", dirs.WAL, err)
}

// checkClusterFlags refuses a data dir that belongs to another cluster than
// the one --initial-cluster and --initial-cluster-token describe, when they
// were given for a new cluster: the operator most likely pointed the member
// at the wrong directory. Only a clear mismatch counts: both this member's ID
// and the cluster ID differ from the WAL's. A changed member list alone
// (members added at runtime) keeps the member's own ID and is accepted, since
// the flags are ignored on restart anyway.
func (s *Server) checkClusterFlags(dirs config.Dirs) error {
	if s.cfg.ForceNewCluster || s.cfg.InitialClusterState != config.ClusterStateNew || !s.cfg.IsSet("initial-cluster") {
		return nil
	}
	cluster, err := s.cfg.InitialMembers()
	if err != nil {
		return nil
	}
	if uint64(cluster.ID) != s.clusterID && uint64(s.cfg.MemberID()) != s.id {
		return fmt.Errorf("the data dir %s belongs to member %s of cluster %s, but --initial-cluster and --initial-cluster-token describe member %s of cluster %s; "+
			"use this member's own data dir, remove %s to start afresh, or drop --initial-cluster (a restart ignores it)",
			dirs.Data, hexID(s.id), hexID(s.clusterID), s.cfg.MemberID(), cluster.ID, dirs.Data)
	}
	return nil
}

// restoreState loads the snapshot into raft's storage and the store, or,
// without one, repeats the bootstrap of the initial configuration.
func (s *Server) restoreState(snapshot raftpb.Snapshot) error {
	if snapshot.IsEmpty() {
		s.setConfState(raftpb.ConfState{Voters: s.meta.voters()})
		if s.cfg.ForceNewCluster {
			s.setConfState(raftpb.ConfState{Voters: []uint64{s.id}})
		}
		if len(s.confState.Voters) == 0 {
			// A member that joined and stopped before its first snapshot
			// arrived: it waits for the leader's snapshot again.
			return nil
		}
		if err := s.storage.Bootstrap(s.confState); err != nil {
			return err
		}
		return bootstrapMembers(s.store, s.meta.Initial)
	}
	if err := s.store.Recovery(snapshot.Data); err != nil {
		return fmt.Errorf("cannot load snapshot %d: %w; remove the newest file in the snap directory to fall back to an older one", snapshot.Metadata.Index, err)
	}
	if s.cfg.ForceNewCluster {
		snapshot.Metadata.ConfState = raftpb.ConfState{Voters: []uint64{s.id}}
	}
	s.setConfState(snapshot.Metadata.ConfState)
	s.snapIndex.Store(snapshot.Metadata.Index)
	return applySnapshotToStorage(s.storage, snapshot)
}

// loadSnapshot returns the newest snapshot file whose marker reached the
// WAL, or the empty snapshot when there is none.
func (s *Server) loadSnapshot(dirs config.Dirs) (raftpb.Snapshot, error) {
	markers, err := wal.ValidSnapshots(dirs.WAL, s.walOptions())
	if err != nil {
		return raftpb.Snapshot{}, fmt.Errorf("cannot read the snapshot markers in the WAL in %s: %w", dirs.WAL, err)
	}
	usable := func(md raftpb.SnapshotMetadata) bool {
		for _, m := range markers {
			if m.Index == md.Index && m.Term == md.Term {
				return true
			}
		}
		return false
	}
	snapshot, err := s.snapshotter.LoadNewestAvailable(usable)
	if errors.Is(err, snap.ErrNoSnapshot) {
		return raftpb.Snapshot{}, nil
	}
	if err != nil {
		return raftpb.Snapshot{}, fmt.Errorf("cannot load a snapshot from %s: %w", dirs.Snap, err)
	}
	return snapshot, nil
}
