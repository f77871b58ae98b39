// Package server is one skiff member: it ties the raft core, the WAL, the
// snapshot files, the v2 store, the peer transport and the v2 client API
// together, in the order a request travels (docs/architecture.md follows one
// PUT through it):
//
//	client HTTP (server/v2http) → Do (propose.go) → raft loop (loop.go)
//	  → WAL fsync (ready.go) → transport → commit → apply (apply.go)
//	  → store → wait registry (wait.go) → HTTP response
//
// # Using a member in-process
//
// cmd/skiff calls Run. A test harness builds members directly:
//
//	cfg, err := config.Parse(args, nil)          // etcd's flags
//	s, err := server.New(cfg, server.Options{    // opens or bootstraps the data dir
//		PeerListeners:   []net.Listener{peerLn},  // optional: listen on port 0 first,
//		ClientListeners: []net.Listener{clientLn},// then name the ports in --initial-cluster
//		Logger:          logger,
//	})
//	err = s.Start()                               // serve, run raft, publish attributes
//	ev, err := s.Do(ctx, &store.Request{...})     // a write through raft (GET: a ReadIndex read)
//	err = s.LinearizableRead(ctx)                 // then read s.Store() linearizably
//	m, err := s.AddMember(ctx, peerURLs)          // RemoveMember, UpdateMember: conf changes
//	s.Stop()                                      // graceful: hand over leadership, drain, flush, close
//	s.Kill()                                      // like kill -9: nothing more is synced
//
// Options.FS puts the WAL and snapshots on a vfs (a vfs.MemFS for power-loss
// tests: Kill, then New on its CrashImage); Options.SnapshotCatchUpEntries
// makes followers need snapshots sooner; Options.Now skews a member's clock.
//
// Accessors for checks: ID, ClusterID, Name, Leader, IsLeader, Term,
// RaftIndexTerm, AppliedIndex, SnapshotIndex, SnapshotsInstalled, RaftStatus,
// Store, StoreHash, Members, Member, DataDir, PeerURLs, ClientURLs, Transport
// (for Block/Unblock), Registry, Done and Err. A stopped member cannot be
// started again: build a new one with New on the same config and data dir
// (as after a crash). Each Start needs a registry of its own (nil makes one),
// because the client API registers its metrics once per registry.
//
// # Files
//
//	doc.go        this overview
//	server.go     Server, Options, the accessors
//	new.go        New: configuration, listeners, storage, raft node, transport
//	storage.go    bootstrap a new cluster or restart from snapshot + WAL
//	metadata.go   what the WAL records about its member and the initial cluster
//	serve.go      Start: listeners, HTTP servers, the loops
//	loop.go       the raft loop and the transport's entry points
//	ready.go      one Ready: send, persist, apply, Advance
//	apply.go      committed entries to the store
//	command.go    the raft command and its binary encoding
//	codec.go      the encoding's helpers
//	propose.go    Do: propose a command and wait for its apply
//	readindex.go  LinearizableRead through raft's ReadIndex
//	wait.go       the wait registry: applied results to waiting requests
//	background.go publishing attributes, the leader's TTL sweep
//	members.go    membership records in the store's /0 namespace
//	reconfig.go   AddMember, RemoveMember, UpdateMember: raft conf changes
//	promote.go    new members join as learners; the leader promotes them
//	join.go       --initial-cluster-state existing: joining a running cluster
//	removal.go    a removed member noticing its removal
//	snapshot.go   taking and installing snapshots
//	force.go      --force-new-cluster
//	stats.go      /v2/stats/self and /v2/stats/leader
//	latency.go    heartbeat round trips for /v2/stats/leader
//	metrics.go    Prometheus metrics
//	client.go     the client API handler over the member
//	tls.go        https listeners and peer dialing (pkg/tlsutil)
//	stop.go       Stop, Kill, fatal errors
//	pause.go      PauseLoop, a test hook that stalls the raft loop
//	run.go        Run: the skiff binary, with its exit codes
package server
