package server

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"skiff/raft"
	"skiff/raft/raftpb"
	"skiff/server/config"
	"skiff/server/membership"
	"skiff/snap"
	"skiff/store"
	"skiff/transport"
	"skiff/wal"
	"skiff/wal/vfs"
)

// Options are the parts of a member that the configuration does not
// describe: things a test harness or cmd/skiff hands in.
type Options struct {
	// Logger receives the member's logs; nil discards them.
	Logger *slog.Logger
	// PeerListeners and ClientListeners, when set, are served instead of
	// listening on --listen-peer-urls and --listen-client-urls. A harness
	// listens on port 0 first, so it knows the ports before it writes
	// --initial-cluster (member IDs are derived from the peer URLs).
	PeerListeners   []net.Listener
	ClientListeners []net.Listener
	// Registry receives the member's metrics. nil means a registry of the
	// member's own, which Registry returns and the /metrics handler serves.
	Registry *prometheus.Registry
	// Now is the clock proposals are stamped with (TTLs, the expiry
	// sweep); nil means time.Now.
	Now func() time.Time
	// FS is the file system the WAL and the snapshot files are written
	// through; nil means the real one. A crash test passes a vfs.MemFS and
	// builds the disk a crash could leave with its CrashImage.
	FS vfs.FS
	// SnapshotCatchUpEntries is how many applied entries raft's log keeps
	// behind a snapshot for followers that are slightly behind; 0 means
	// etcd's 5000. Tests lower it to make a follower need a snapshot.
	SnapshotCatchUpEntries uint64
}

// Server is one running skiff member: it owns the raft node, the WAL, the
// snapshot files, the store, the peer transport and the listeners.
//
// Data flows one way through it (docs/architecture.md): an HTTP request
// calls Do, which proposes a command (propose.go); the raft loop (loop.go)
// persists each Ready to the WAL, sends messages through the transport and
// applies committed entries to the store (apply.go); the apply wakes the
// waiting request (wait.go) with the store's event.
//
// Invariants:
//  1. Only the raft loop goroutine touches node, storage's writes, wal and
//     snapshotter after Start; everything else talks to it through channels.
//  2. An entry is applied to the store only after it is durable in the WAL
//     of this member, and in order of index, exactly once per process.
//  3. A message other than the leader's own appends and heartbeats is sent
//     only after the Ready that produced it is durable (thesis §3.8,
//     §10.2.1).
type Server struct {
	cfg  *config.Config
	opts Options
	lg   *slog.Logger
	now  func() time.Time

	id        uint64
	clusterID uint64
	meta      metadata

	// The durable and replicated state; see invariant 1.
	node        *raft.Node
	storage     *raft.MemoryStorage
	wal         *wal.WAL
	snapshotter *snap.Snapshotter
	store       *store.Store
	transport   *transport.Transport

	// Raft-loop state, touched only by the loop goroutine.
	confState raftpb.ConfState
	lastHard  raftpb.HardState
	peers     map[uint64][]string // the transport's peers and their URLs
	// joinMembers is the member list a joining member fetched; it finds its
	// peers there until the leader's snapshot fills its store (join.go).
	joinMembers []transport.Member
	// joinSnapshot is set when a member was added: the next snapshot must
	// leave raft's log starting after index 1 (join.go, step 4).
	joinSnapshot bool
	// With --force-new-cluster: the last index the WAL held, every entry up
	// to which was forced committed, and whether the snapshot that records
	// the one-member configuration is still to be taken.
	forcedIndex   uint64
	forceSnapshot bool

	waits    *waitRegistry
	latency  *followerLatency // heartbeat round trips, on the leader
	appliedW *appliedWaiter
	reqIDs   requestIDs
	metrics  *metrics
	reg      *prometheus.Registry

	// Linearizable reads (readindex.go): the round the next reads join,
	// and the signal that one is waiting.
	readMu   sync.Mutex
	nextRead *readRound
	readWake chan struct{}

	// Channels into the raft loop.
	recvc   chan raftpb.Message
	propc   chan proposal
	reportc chan report
	statusc chan chan raft.Status

	// Published by the raft loop for other goroutines.
	lead           atomic.Uint64
	term           atomic.Uint64
	commit         atomic.Uint64
	applied        atomic.Uint64
	snapIndex      atomic.Uint64 // index of the newest snapshot taken or installed
	snapsInstalled atomic.Uint64
	isLeader       atomic.Bool
	leadMu         sync.Mutex
	leadc          chan struct{} // closed and replaced whenever the leader changes
	leadSince      time.Time     // when leadc was last replaced
	startTime      time.Time
	lastStat       atomic.Pointer[raft.Status]

	peerLns       []net.Listener // opened by New, served by Start
	clientLns     []net.Listener
	peerServers   []*http.Server
	clientServers []*http.Server
	peerURLs      []string
	clientURLs    []string
	clientHandler http.Handler

	startOnce   sync.Once
	stopOnce    sync.Once
	closing     chan struct{}      // closed when shutdown begins: watches end
	stopping    chan struct{}      // closed once in-flight requests are done: the loop ends
	loopDone    chan struct{}      // closed when the raft loop has returned
	pausec      chan time.Duration // PauseLoop's requests to the raft loop (pause.go)
	done        chan struct{}      // closed when the member has fully stopped
	bgWG        sync.WaitGroup
	errMu       sync.Mutex
	err         error // why the member stopped, if not asked to
	killed      atomic.Bool
	loopRunning atomic.Bool
}

// ErrStopped is returned to requests that were waiting when the member
// stopped. The client should retry on another member.
var ErrStopped = errors.New("etcdserver: server stopped")

// report is a transport's news about a peer, handed to the raft loop.
type report struct {
	id         uint64
	snapshot   bool // a ReportSnapshot rather than a ReportUnreachable
	snapFailed bool
}

// ID is this member's ID.
func (s *Server) ID() membership.ID { return membership.ID(s.id) }

// ClusterID is the ID of the cluster this member belongs to.
func (s *Server) ClusterID() membership.ID { return membership.ID(s.clusterID) }

// Name is the member's --name.
func (s *Server) Name() string { return s.cfg.Name }

// DataDir is the member's --data-dir.
func (s *Server) DataDir() string { return s.cfg.DataDir }

// Store is the member's v2 key space, for plain (local) reads and watches.
func (s *Server) Store() *store.Store { return s.store }

// StoreHash is a hash of the store's contents without its history: equal on
// members that applied the same entries.
func (s *Server) StoreHash() uint64 { return s.store.Hash() }

// Leader is the member this one believes leads; ok is false while no
// leader is known (during an election).
func (s *Server) Leader() (id membership.ID, ok bool) {
	lead := s.lead.Load()
	return membership.ID(lead), lead != 0
}

// RaftIndexTerm returns the raft commit index and the current term, as of the
// last Ready (X-Raft-Index and X-Raft-Term).
func (s *Server) RaftIndexTerm() (index, term uint64) {
	return s.commit.Load(), s.term.Load()
}

// IsLeader reports whether this member is the leader.
func (s *Server) IsLeader() bool { return s.isLeader.Load() }

// Term is the current raft term as of the last Ready.
func (s *Server) Term() uint64 { return s.term.Load() }

// SnapshotIndex is the index of the newest snapshot this member took,
// installed from the leader, or restarted from; 0 if none.
func (s *Server) SnapshotIndex() uint64 { return s.snapIndex.Load() }

// SnapshotsInstalled counts the snapshots this member received from a
// leader because it was too far behind for the log.
func (s *Server) SnapshotsInstalled() uint64 { return s.snapsInstalled.Load() }

// AppliedIndex is the index of the last raft entry applied to the store.
func (s *Server) AppliedIndex() uint64 { return s.applied.Load() }

// PeerURLs are the URLs the member's peer listeners serve.
func (s *Server) PeerURLs() []string { return s.peerURLs }

// ClientURLs are the URLs the member's client listeners serve.
func (s *Server) ClientURLs() []string { return s.clientURLs }

// Registry is the Prometheus registry the member's metrics are on.
func (s *Server) Registry() *prometheus.Registry { return s.reg }

// Transport is the member's peer transport, for fault-injection tests
// (Block, Unblock).
func (s *Server) Transport() *transport.Transport { return s.transport }

// Done is closed once the member has stopped, whether asked to (Stop, Kill)
// or because of a fatal error (see Err).
func (s *Server) Done() <-chan struct{} { return s.done }

// Err is why the member stopped on its own (a WAL write failed, it was
// removed from the cluster); nil while it runs or after Stop.
func (s *Server) Err() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.err
}

// RaftStatus is the raft node's state: role, term, commit and applied
// indexes, and on the leader every follower's progress. After the member
// stopped it is the last state seen.
func (s *Server) RaftStatus() raft.Status {
	q := make(chan raft.Status, 1)
	select {
	case s.statusc <- q:
		select {
		case st := <-q:
			return st
		case <-s.loopDone:
		}
	case <-s.loopDone:
	}
	if st := s.lastStat.Load(); st != nil {
		return *st
	}
	return raft.Status{ID: s.id}
}

// leaderChanged returns a channel closed at the next change of leader.
func (s *Server) leaderChanged() <-chan struct{} {
	s.leadMu.Lock()
	defer s.leadMu.Unlock()
	return s.leadc
}

// setLeader publishes a new leader and wakes whoever waits for one.
func (s *Server) setLeader(lead uint64, leader bool) {
	s.lead.Store(lead)
	s.isLeader.Store(leader)
	s.leadMu.Lock()
	close(s.leadc)
	s.leadc = make(chan struct{})
	s.leadSince = time.Now()
	s.leadMu.Unlock()
}

// catchUp is Options.SnapshotCatchUpEntries or its default.
func (s *Server) catchUp() uint64 {
	if s.opts.SnapshotCatchUpEntries > 0 {
		return s.opts.SnapshotCatchUpEntries
	}
	return defaultCatchUpEntries
}

// defaultCatchUpEntries is etcd's: a follower a few thousand entries behind
// catches up from the log, which is cheaper than a whole snapshot.
const defaultCatchUpEntries = 5000

// requestTimeout is etcd's v2 request timeout (contract §1.11): 5 s plus two
// election timeouts, long enough to ride out one election.
func (s *Server) requestTimeout() time.Duration {
	return 5*time.Second + 2*s.cfg.ElectionTimeout
}
