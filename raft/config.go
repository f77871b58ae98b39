package raft

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
)

// Config holds the parameters of one raft node. Durations are in ticks: the
// driver decides how long a tick is (etcd's default is 100ms).
type Config struct {
	// ID identifies this node in the cluster. It must not be 0, which means
	// "nobody" in votes and leader fields.
	ID uint64

	// ElectionTick is the election timeout (§5.2) in ticks. A follower that
	// hears nothing from a leader for a random time in
	// [ElectionTick, 2*ElectionTick) starts an election. Zero means 10.
	ElectionTick int

	// HeartbeatTick is how often, in ticks, a leader sends heartbeats. It
	// must be smaller than ElectionTick (§5.2: "broadcastTime ≪
	// electionTimeout"). Zero means 1.
	HeartbeatTick int

	// Storage holds what the driver has persisted: hard state, entries and
	// (next issue) the latest snapshot. raft reads it and never writes it.
	Storage Storage

	// Applied is the index of the last entry the driver has applied to its
	// state machine before this restart. Committed entries are handed out
	// from Applied+1. Zero on a fresh start.
	Applied uint64

	// MaxSizePerMsg bounds the bytes of entries in one AppendEntries; one
	// entry is always sent even if larger. Zero means 1 MiB, large enough
	// to batch thousands of small proposals and small enough not to stall a
	// heartbeat behind a huge message.
	MaxSizePerMsg uint64

	// MaxInflightMsgs bounds how many AppendEntries a leader pipelines to a
	// follower before it hears back (thesis §10.2.2). Zero means 256.
	MaxInflightMsgs int

	// MaxInflightBytes bounds the entry bytes in flight to one follower.
	// Zero means no limit beyond MaxInflightMsgs*MaxSizePerMsg.
	MaxInflightBytes uint64

	// MaxUncommittedEntriesSize bounds the payload bytes a leader holds
	// appended but not committed; past it, proposals fail with
	// ErrProposalDropped. A leader that has lost its quorum then stops
	// growing its log (and memory) while clients keep proposing. Zero means
	// 64 MiB: thousands of full batches, far more than a healthy cluster
	// ever has in flight, and small next to a server's memory.
	MaxUncommittedEntriesSize uint64

	// DisablePreVote turns off the Pre-Vote phase (thesis §9.6). Pre-Vote is
	// on by default: it keeps a node that rejoins after a partition from
	// forcing a needless election with its inflated term.
	DisablePreVote bool

	// DisableCheckQuorum turns off check-quorum (thesis §6.2 and §4.2.3).
	// It is on by default: a leader that has not heard from a quorum for an
	// election timeout steps down, and a node that has heard from a live
	// leader within the election timeout ignores vote requests.
	DisableCheckQuorum bool

	// ReadOnlyLeaseBased makes the leader answer ReadIndex requests without
	// a heartbeat round while it holds a lease (thesis §6.4.1): a quorum
	// answered it within the last half election timeout. It is off by
	// default, and needs check-quorum, whose rule makes the lease hold: a
	// follower that heard a leader within the election timeout refuses to
	// vote for another. The lease rests on a clock assumption: that the
	// nodes' ticks run at nearly the same rate and messages take less than
	// half an election timeout. A clock that runs fast, or a process that
	// pauses (GC, VM migration) past that margin, lets a deposed leader
	// serve a stale read; so does a follower that restarts within the
	// lease, since it forgets that it heard the leader. ReadIndex with
	// rounds (the default) assumes nothing about clocks or restarts, and
	// the simulator checks only that mode.
	ReadOnlyLeaseBased bool

	// Rand is the source of randomized election timeouts. Tests and the
	// simulator pass a seeded one so that runs replay exactly; nil means a
	// randomly seeded source.
	Rand *rand.Rand

	// Logger receives role changes (Info) and protocol decisions (Debug).
	// nil means discard.
	Logger *slog.Logger
}

// Defaults applied by withDefaults to zero fields.
const (
	defaultElectionTick    = 10
	defaultHeartbeatTick   = 1
	defaultMaxSizePerMsg   = 1 << 20
	defaultMaxInflightMsgs = 256
	defaultMaxUncommitted  = 64 << 20
)

// ErrInvalidConfig is wrapped by every error that validate returns.
var ErrInvalidConfig = errors.New("raft: invalid config")

// withDefaults returns a copy of c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.ElectionTick == 0 {
		c.ElectionTick = defaultElectionTick
	}
	if c.HeartbeatTick == 0 {
		c.HeartbeatTick = defaultHeartbeatTick
	}
	if c.MaxSizePerMsg == 0 {
		c.MaxSizePerMsg = defaultMaxSizePerMsg
	}
	if c.MaxInflightMsgs == 0 {
		c.MaxInflightMsgs = defaultMaxInflightMsgs
	}
	if c.MaxUncommittedEntriesSize == 0 {
		c.MaxUncommittedEntriesSize = defaultMaxUncommitted
	}
	if c.Rand == nil {
		c.Rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// validate reports the first problem with c (after defaults are applied).
func (c Config) validate() error {
	switch {
	case c.ID == 0:
		return fmt.Errorf("%w: ID must not be 0 (0 means \"no node\")", ErrInvalidConfig)
	case c.Storage == nil:
		return fmt.Errorf("%w: Storage is nil; pass a MemoryStorage or the driver's storage", ErrInvalidConfig)
	case c.HeartbeatTick < 0 || c.ElectionTick < 0:
		return fmt.Errorf("%w: ElectionTick (%d) and HeartbeatTick (%d) must be positive",
			ErrInvalidConfig, c.ElectionTick, c.HeartbeatTick)
	case c.ElectionTick <= c.HeartbeatTick:
		return fmt.Errorf("%w: ElectionTick (%d) must be greater than HeartbeatTick (%d)",
			ErrInvalidConfig, c.ElectionTick, c.HeartbeatTick)
	case c.ReadOnlyLeaseBased && c.DisableCheckQuorum:
		return fmt.Errorf("%w: ReadOnlyLeaseBased needs check-quorum (the lease is the time a leader keeps without a quorum); enable it or use ReadIndex rounds", ErrInvalidConfig)
	case c.MaxInflightMsgs < 0:
		return fmt.Errorf("%w: MaxInflightMsgs (%d) must be positive", ErrInvalidConfig, c.MaxInflightMsgs)
	}
	return nil
}
