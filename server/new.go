package server

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"skiff/raft"
	"skiff/raft/raftpb"
	"skiff/server/config"
	"skiff/transport"
	"skiff/wal"
	"skiff/wal/vfs"
)

// errLocked is the file system's "locked by another holder".
var errLocked = vfs.ErrLocked

// New builds a member from cfg: it validates the configuration, opens or
// creates the data dir (bootstrapping a new cluster, or restarting from the
// WAL and the newest snapshot), and prepares the raft node and the
// transport. Nothing is served and no goroutine runs until Start; on error
// everything New opened is closed again.
//
// The error says which setting is wrong and how to fix it; cmd/skiff prints
// it and exits 1.
func New(cfg *config.Config, opts Options) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if !wal.Exist(cfg.Dirs().WAL, wal.Options{FS: opts.FS}) {
		if err := cfg.ValidateBootstrap(); err != nil {
			return nil, err
		}
	}
	s := newServer(cfg, opts)
	if err := s.listen(); err != nil {
		return nil, err
	}
	applied, err := s.openStorage()
	if err != nil {
		s.closeStorage()
		return nil, err
	}
	s.applied.Store(applied)
	s.appliedW.appliedTo(applied)
	s.reqIDs.init(s.id, time.Now())
	if err := s.newRaftNode(applied); err != nil {
		s.closeStorage()
		return nil, err
	}
	if err := s.newTransport(); err != nil {
		s.closeStorage()
		return nil, err
	}
	return s, nil
}

// newServer fills in everything that does not touch the disk.
func newServer(cfg *config.Config, opts Options) *Server {
	lg := opts.Logger
	if lg == nil {
		lg = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	reg := opts.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	return &Server{
		cfg: cfg, opts: opts, lg: lg, now: now, reg: reg,
		metrics:   newMetrics(reg),
		waits:     newWaitRegistry(),
		appliedW:  newAppliedWaiter(),
		recvc:     make(chan raftpb.Message, 1024),
		propc:     make(chan proposal, maxProposalBatch),
		reportc:   make(chan report, 64),
		statusc:   make(chan chan raft.Status),
		nextRead:  newReadRound(),
		latency:   newFollowerLatency(),
		readWake:  make(chan struct{}, 1),
		leadc:     make(chan struct{}),
		closing:   make(chan struct{}),
		stopping:  make(chan struct{}),
		startTime: time.Now(),
		loopDone:  make(chan struct{}),
		pausec:    make(chan time.Duration),
		done:      make(chan struct{}),
	}
}

// newRaftNode starts the raft node over the storage openStorage filled.
// One tick is one heartbeat interval, so the election timeout in ticks is
// --election-timeout / --heartbeat-interval (at least 5, config checks).
func (s *Server) newRaftNode(applied uint64) error {
	electionTicks := int(s.cfg.ElectionTimeout / s.cfg.HeartbeatInterval)
	node, err := raft.New(raft.Config{
		ID:            s.id,
		ElectionTick:  electionTicks,
		HeartbeatTick: 1,
		Storage:       s.storage,
		Applied:       applied,
		Logger:        s.lg,
	})
	if err != nil {
		return fmt.Errorf("cannot start raft: %w", err)
	}
	s.node = node
	return nil
}

// newTransport prepares the peer transport and tells it every other member.
func (s *Server) newTransport() error {
	dialTLS, err := s.peerDialTLS()
	if err != nil {
		return err
	}
	t, err := transport.New(transport.Config{
		ID:        s.id,
		ClusterID: s.clusterID,
		Raft:      s,
		Logger:    s.lg.With("transport", hexID(s.id)),
		Members:   s.peerMembers,
		IsRemoved: s.isRemoved,
		LocalRemoved: func(peer uint64) {
			s.fail(fmt.Errorf("%w (peer %s says so)", errRemoved, hexID(peer)))
		},
		TLS: dialTLS,
	})
	if err != nil {
		return err
	}
	s.transport = t
	if !s.cfg.ForceNewCluster {
		s.syncPeers()
	}
	return nil
}

// peerMembers is the member list the peer endpoint GET /members serves.
func (s *Server) peerMembers() []transport.Member {
	var out []transport.Member
	for _, m := range s.Members() {
		out = append(out, transport.Member{ID: uint64(m.ID), PeerURLs: m.PeerURLs, Name: m.Name, ClientURLs: m.ClientURLs})
	}
	return out
}

// closeStorage closes the WAL and the listeners after a failed New.
func (s *Server) closeStorage() {
	closeListeners(s.peerLns)
	closeListeners(s.clientLns)
	if s.wal != nil {
		if err := s.wal.Close(); err != nil && !errors.Is(err, errLocked) {
			s.lg.Warn("closing the WAL", "err", err)
		}
		s.wal = nil
	}
}
