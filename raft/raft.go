package raft

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"

	"skiff/raft/raftpb"
)

// Role is a node's role in its current term (§5.1), plus the Pre-Vote
// phase of thesis §9.6.
type Role uint8

const (
	// RoleFollower answers leaders and candidates and starts nothing.
	RoleFollower Role = iota
	// RolePreCandidate asks whether it could win before it raises its term.
	RolePreCandidate
	// RoleCandidate has raised its term and asks for votes.
	RoleCandidate
	// RoleLeader replicates its log to everyone else.
	RoleLeader
)

func (r Role) String() string {
	switch r {
	case RoleFollower:
		return "Follower"
	case RolePreCandidate:
		return "PreCandidate"
	case RoleCandidate:
		return "Candidate"
	case RoleLeader:
		return "Leader"
	}
	return fmt.Sprintf("Role(%d)", uint8(r))
}

// ErrProposalDropped is returned when a proposal cannot be accepted: there
// is no known leader to take it, or the leader is transferring leadership
// or has too much uncommitted (the wrapping error says which). The caller
// may retry later.
var ErrProposalDropped = errors.New("raft: proposal dropped; retry later")

// ErrUnknownMessage is returned by Step for a message type raft does not
// handle.
var ErrUnknownMessage = errors.New("raft: message type not handled")

// raft is the protocol state machine of one node. It owns Figure 2's state
// and reacts to ticks and messages; Node wraps it with the Ready contract.
//
// Invariants:
//  1. term and vote only change together through reset (vote is cleared
//     exactly when the term rises) or by granting a vote in this term.
//  2. role == RoleLeader implies lead == id and vote == id.
//  3. msgs holds messages produced since the last Ready, in the order made.
type raft struct {
	id   uint64
	term uint64 // currentTerm (Figure 2, persistent)
	vote uint64 // votedFor (Figure 2, persistent)
	log  *raftLog
	role Role
	lead uint64 // the leader of term, 0 if unknown
	prs  *tracker
	msgs []raftpb.Message

	electionElapsed           int // ticks since a leader was heard from (or, as leader, since the last quorum check)
	heartbeatElapsed          int // leader: ticks since the last heartbeat
	randomizedElectionTimeout int // in [electionTick, 2*electionTick), §5.2

	electionTick  int
	heartbeatTick int
	preVote       bool
	checkQuorum   bool
	maxMsgSize    uint64

	// broadcastPending is set when the leader has new entries or a new
	// commit index to send; the sends happen once per Ready so that many
	// proposals share one AppendEntries (thesis §10.2.2: batching).
	broadcastPending bool

	// readOnly queues linearizable reads (readindex.go); readStates holds
	// the answers for the next Ready. leaseReads answers reads without a
	// heartbeat round (Config.ReadOnlyLeaseBased, thesis §6.4.1).
	readOnly   readOnly
	readStates []ReadState
	leaseReads bool

	// appliedConf is the configuration the driver has applied, which the
	// tracker counts with (membership.go).
	appliedConf raftpb.ConfState

	// pendingConfIndex is the index of the last ConfChange the leader
	// appended (or, on election, its empty entry): no new change is
	// accepted until it is applied (membership.go).
	pendingConfIndex uint64
	// leadTransferee is the target of a leadership transfer under way
	// (transfer.go), 0 if none.
	leadTransferee uint64
	// uncommittedSize is the payload bytes the leader has appended and not
	// yet seen committed; proposals are refused past maxUncommittedSize.
	uncommittedSize    uint64
	maxUncommittedSize uint64

	rand    *rand.Rand
	logger  *slog.Logger
	debugOn bool
}

// newRaft builds the state machine from cfg and what cfg.Storage holds.
func newRaft(cfg Config) (*raft, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	log, err := newLog(cfg.Storage)
	if err != nil {
		return nil, err
	}
	hs, cs, err := cfg.Storage.InitialState()
	if err != nil {
		return nil, fmt.Errorf("raft: reading initial state: %w", err)
	}
	r := &raft{
		id: cfg.ID, log: log,
		prs:          newTracker(cs, cfg.MaxInflightMsgs, cfg.MaxInflightBytes),
		electionTick: cfg.ElectionTick, heartbeatTick: cfg.HeartbeatTick,
		preVote: !cfg.DisablePreVote, checkQuorum: !cfg.DisableCheckQuorum,
		maxMsgSize: cfg.MaxSizePerMsg, leaseReads: cfg.ReadOnlyLeaseBased,
		maxUncommittedSize: cfg.MaxUncommittedEntriesSize,
		rand:               cfg.Rand,
		logger:             cfg.Logger.With("raft", cfg.ID),
	}
	r.debugOn = r.logger.Enabled(context.Background(), slog.LevelDebug)
	base := r.log.applied
	if err := r.loadState(hs, cfg.Applied); err != nil {
		return nil, err
	}
	if err := r.loadConfig(cs, base); err != nil {
		return nil, err
	}
	r.becomeFollower(r.term, 0)
	r.logger.Info("started", "term", r.term, "commit", log.committed, "applied", log.applied,
		"lastIndex", log.lastIndex(), "voters", r.prs.voters, "learners", r.prs.learners)
	return r, nil
}

// loadState restores the persisted hard state and the applied index.
func (r *raft) loadState(hs raftpb.HardState, applied uint64) error {
	if hs.Commit > r.log.lastIndex() {
		return fmt.Errorf("raft: stored commit index %d is past the stored log's last index %d; the storage is inconsistent",
			hs.Commit, r.log.lastIndex())
	}
	r.term, r.vote = hs.Term, hs.Vote
	// A hard state older than the snapshot (a crash between writing the
	// snapshot and the hard state of the same Ready) is fine: the snapshot
	// is committed by definition, and the commit index stays at it.
	r.log.committed = max(hs.Commit, r.log.committed)
	if applied > 0 {
		if applied < r.log.applied || applied > r.log.committed {
			return fmt.Errorf("%w: Applied (%d) must lie in [%d, %d], the snapshot and commit indexes",
				ErrInvalidConfig, applied, r.log.applied, r.log.committed)
		}
		r.log.applied, r.log.applying = applied, applied
	}
	return nil
}

// hardState returns Figure 2's persistent state plus the commit index.
func (r *raft) hardState() raftpb.HardState {
	return raftpb.HardState{Term: r.term, Vote: r.vote, Commit: r.log.committed}
}

// softState returns the volatile role information.
func (r *raft) softState() SoftState { return SoftState{Lead: r.lead, Role: r.role} }

// promotable reports whether this node may campaign: it must be a voter.
func (r *raft) promotable() bool { return r.prs.isVoter(r.id) }

// send queues m for the driver, stamping it with this node's id and term.
// Local proposals forwarded to the leader keep term 0 (they are not part of
// any term's conversation).
func (r *raft) send(m raftpb.Message) {
	m.From = r.id
	if m.Term == 0 && m.Type != raftpb.MsgPropose {
		m.Term = r.term
	}
	if r.debugOn {
		r.logger.Debug("send", "term", r.term, "msg", DescribeMessage(m))
	}
	r.msgs = append(r.msgs, m)
}

// reset starts term afresh: Figure 2's volatile state is reinitialized and,
// if the term changes, the vote is cleared (a vote is per term).
func (r *raft) reset(term uint64) {
	if r.term != term {
		r.term = term
		r.vote = 0
	}
	r.lead = 0
	r.electionElapsed, r.heartbeatElapsed = 0, 0
	r.resetRandomizedElectionTimeout()
	r.prs.resetVotes()
	r.prs.resetProgress(r.log.lastIndex())
	if self := r.prs.progress[r.id]; self != nil {
		self.maybeUpdate(r.log.stableLastIndex()) // §10.2.1: only what is durable
	}
	r.broadcastPending = false
	r.resetReads()
	r.leadTransferee = 0
	r.uncommittedSize = 0
}

// resetRandomizedElectionTimeout picks a timeout in [electionTick,
// 2*electionTick) so that split votes are rare (§5.2).
func (r *raft) resetRandomizedElectionTimeout() {
	r.randomizedElectionTimeout = r.electionTick + r.rand.IntN(r.electionTick)
}

func (r *raft) becomeFollower(term, lead uint64) {
	r.reset(term)
	r.lead = lead
	r.setRole(RoleFollower)
}

func (r *raft) becomePreCandidate() {
	// §9.6: no term change and no vote yet; only ask whether we could win.
	r.prs.resetVotes()
	r.lead = 0
	r.setRole(RolePreCandidate)
}

func (r *raft) becomeCandidate() {
	r.reset(r.term + 1) // §5.2: increment currentTerm
	r.vote = r.id       // §5.2: vote for self
	r.setRole(RoleCandidate)
}

// becomeLeader takes over the term. §5.4.2 and §8: the new leader appends
// an empty entry of its own term, so that committing it also commits every
// earlier entry.
func (r *raft) becomeLeader() {
	r.reset(r.term)
	r.lead = r.id
	r.setRole(RoleLeader)
	if self := r.prs.progress[r.id]; self != nil {
		self.becomeReplicate()
		self.RecentActive = true
	}
	r.appendEntries(raftpb.Entry{})
	// The 2015 fix (membership.go): no configuration change until this
	// entry, and every change before it, is applied.
	r.pendingConfIndex = r.log.lastIndex()
}

// setRole changes role and logs it (every role change at Info).
func (r *raft) setRole(role Role) {
	if r.role != role {
		r.logger.Info("became "+role.String(), "term", r.term, "lead", r.lead)
	}
	r.role = role
}
