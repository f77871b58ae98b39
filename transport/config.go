package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"skiff/raft/raftpb"
)

// Raft is what the transport needs from the raft node it serves. The
// transport calls these methods from its own goroutines, never from inside
// Send, so an implementation may hand the call to the raft loop and wait.
type Raft interface {
	// Process delivers a message received from a peer. It should return
	// promptly; while it blocks, the peer's stream stops being read.
	Process(ctx context.Context, m raftpb.Message) error
	// ReportUnreachable tells raft that messages to id were lost, so the
	// leader can stop optimistic replication to it (etcd's probe state).
	ReportUnreachable(id uint64)
	// ReportSnapshot tells raft whether a MsgInstallSnapshot to id was
	// delivered (failed=false) or not (failed=true).
	ReportSnapshot(id uint64, failed bool)
}

// Config configures a Transport. ID, ClusterID and Raft are required; every
// other field has a default chosen in withDefaults.
type Config struct {
	// ID is the local member ID; it travels in X-Server-From.
	ID uint64
	// ClusterID is checked on every raft request, in both directions.
	ClusterID uint64
	// Raft receives messages and reports.
	Raft Raft
	// Logger receives the transport's logs. Nil discards them.
	Logger *slog.Logger

	// Members returns the cluster's members for the peer /members endpoint
	// that joining members read. Nil serves an empty list.
	Members func() []Member
	// IsRemoved reports whether id was removed from the cluster; requests
	// from a removed member are refused with 410 Gone, its open stream is
	// cut, and messages to it are dropped. Nil means no member was ever
	// removed. The transport asks again only after RemovePeer has been
	// called (for any member) or, for an open stream, every IdleTimeout/4,
	// so the server must call RemovePeer when it applies a removal.
	IsRemoved func(id uint64) bool
	// LocalRemoved is called (from a transport goroutine) when a peer
	// refuses this member because it was removed from the cluster, so the
	// server can shut down as etcd does. May be nil.
	LocalRemoved func(peer uint64)
	// Version is served on /version and sent in X-Server-Version. The zero
	// value means DefaultVersion.
	Version Version

	// TLS, when set, is used for https peer URLs.
	TLS *tls.Config
	// Dial opens connections to peers; nil means a net.Dialer with
	// DialTimeout. Tests may inject an in-memory network here.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// DialTimeout bounds connecting and waiting for a peer to accept a
	// stream. Default 1s: about one election timeout, after which raft
	// should hear that the peer is unreachable.
	DialTimeout time.Duration
	// WriteTimeout bounds every write on a peer connection, so a peer that
	// stops reading (or vanishes without a reset) is noticed. Default 5s,
	// as etcd's rafthttp uses: long enough for a slow disk on the far side.
	WriteTimeout time.Duration
	// BackoffMin and BackoffMax bound the wait between reconnection
	// attempts, which doubles after each failure. Defaults 50ms and 1s:
	// the first retry is quicker than a heartbeat interval, and a dead peer
	// costs at most one dial per second.
	BackoffMin, BackoffMax time.Duration
	// IdleTimeout is how long a stream may carry nothing, in either
	// direction, before it is taken for dead. Both ends send a keepalive
	// after IdleTimeout/4 of silence, so an idle but healthy stream never
	// times out, while a peer cut off without a TCP reset (a partition, a
	// host gone) is noticed within IdleTimeout. Default 5s, as etcd's
	// ConnReadTimeout.
	IdleTimeout time.Duration
	// QueueSize is how many messages may wait for one peer's stream before
	// Send drops them. Default 4096, as etcd: enough for a burst of
	// proposals while a stream reconnects, small enough to bound memory.
	QueueSize int
	// MaxMessageSize bounds one message on a stream; larger frames end the
	// stream with an error. Default 64 MiB, far above raft's usual
	// per-message cap of about 1 MiB.
	MaxMessageSize int
	// MaxSnapshotSize bounds an incoming snapshot request. Default 1 GiB;
	// snapshots are held in memory, so this is also a memory bound.
	MaxSnapshotSize int64

	// Filter, when set, is consulted for every message received, before it
	// reaches Raft: drop discards it, a positive delay delivers it later
	// (possibly out of order with later messages). It is a fault-injection
	// hook for tests and costs one nil check when unset.
	Filter func(m raftpb.Message) (drop bool, delay time.Duration)
}

// Version is the JSON of the peer /version endpoint, as etcd serves it.
type Version struct {
	Server  string `json:"etcdserver"`
	Cluster string `json:"etcdcluster"`
}

// DefaultVersion is the etcd release skiff answers as (etcd 3.4.23, whose
// v2 API skiff implements).
var DefaultVersion = Version{Server: "3.4.23", Cluster: "3.4.0"}

// Member is one entry of the peer /members list, in etcd's JSON shape:
// the ID is a JSON number, and name and clientURLs are omitted until the
// member has published them.
type Member struct {
	ID         uint64   `json:"id"`
	PeerURLs   []string `json:"peerURLs"`
	Name       string   `json:"name,omitempty"`
	ClientURLs []string `json:"clientURLs,omitempty"`
}

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Version == (Version{}) {
		c.Version = DefaultVersion
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = time.Second
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 5 * time.Second
	}
	if c.BackoffMin <= 0 {
		c.BackoffMin = 50 * time.Millisecond
	}
	if c.BackoffMax < c.BackoffMin {
		c.BackoffMax = max(time.Second, c.BackoffMin)
	}
	if c.QueueSize <= 0 {
		c.QueueSize = 4096
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 5 * time.Second
	}
	if c.MaxMessageSize <= 0 {
		c.MaxMessageSize = 64 << 20
	}
	if c.MaxSnapshotSize <= 0 {
		c.MaxSnapshotSize = 1 << 30
	}
	return c
}

// ErrInvalidConfig is returned (wrapped) by New for a config it cannot use.
var ErrInvalidConfig = errors.New("transport: invalid config")

func (c Config) validate() error {
	switch {
	case c.ID == 0:
		return fmt.Errorf("%w: ID is 0; every member needs a nonzero member ID", ErrInvalidConfig)
	case c.ClusterID == 0:
		return fmt.Errorf("%w: ClusterID is 0; set the cluster ID before starting the transport", ErrInvalidConfig)
	case c.Raft == nil:
		return fmt.Errorf("%w: Raft is nil; the transport needs somewhere to deliver messages", ErrInvalidConfig)
	}
	return nil
}
