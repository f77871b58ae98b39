package raft

import (
	"fmt"

	"skiff/raft/raftpb"
)

// Node is one raft member as a driver sees it: a deterministic state
// machine that is fed ticks, messages and proposals, and hands back Ready
// batches. It starts no goroutines and is not safe for concurrent use; the
// driver calls it from one goroutine (see the package documentation).
type Node struct {
	r *raft

	prevSoft SoftState
	prevHard raftpb.HardState

	// Handed out in Ready and awaiting Advance.
	stableIndex, stableTerm uint64 // last entry handed out in Ready.Entries
	stablePending           bool
	snapshotIndex           uint64 // the snapshot handed out in Ready
	snapshotPending         bool
	appliedIndex            uint64 // applying as of the last Ready
	appliedPending          bool

	handedMsgs []raftpb.Message // the Messages slice of the Ready awaiting Advance
	spare      []raftpb.Message // an emptied Messages slice, for reuse
}

// New builds a node from cfg. On a fresh storage bootstrapped with the
// cluster's voters (MemoryStorage.Bootstrap) this starts a new cluster; on a
// storage holding hard state and entries it restarts from them.
func New(cfg Config) (*Node, error) {
	r, err := newRaft(cfg)
	if err != nil {
		return nil, err
	}
	return &Node{r: r, prevSoft: r.softState(), prevHard: r.hardState()}, nil
}

// Tick advances logical time by one tick (election and heartbeat timeouts
// are counted in ticks).
func (n *Node) Tick() { n.r.tick() }

// Step feeds a message received from a peer. Client proposals use Propose
// instead (a MsgPropose here is one forwarded by a follower). It returns an
// error, leaving the node unchanged, for a message no correct peer sends
// (ErrInvalidMessage, ErrUnknownMessage, a second leader in one term) and
// ErrProposalDropped for a forwarded proposal with no leader to take it.
func (n *Node) Step(m raftpb.Message) error {
	if err := validateMessage(m, n.r.id); err != nil {
		return err
	}
	return n.r.step(m)
}

// Propose asks raft to append data to the log (§5.3). On the leader the
// entry is appended at once; on a follower it is forwarded to the leader.
// ErrProposalDropped means no leader is known, a leadership transfer is
// under way, or (on the leader) the uncommitted log is over
// Config.MaxUncommittedEntriesSize. Success says nothing about commitment:
// watch CommittedEntries for the data.
func (n *Node) Propose(data []byte) error {
	if n.r.role == RoleLeader {
		// Fast path: no message to build.
		return n.r.proposeAsLeader(true, raftpb.Entry{Data: data})
	}
	return n.r.step(raftpb.Message{Type: raftpb.MsgPropose, From: n.r.id,
		Entries: []raftpb.Entry{{Data: data}}})
}

// Campaign starts an election now instead of waiting for the timeout (with
// Pre-Vote, a pre-election first). It fails if this node is not a voter.
func (n *Node) Campaign() error {
	if !n.r.promotable() {
		return fmt.Errorf("raft: node %d cannot campaign: it is not a voter in %v", n.r.id, n.r.prs.voters)
	}
	n.r.hup()
	return nil
}

// ReportUnreachable tells raft that the last message to id could not be
// delivered. The leader stops streaming to it and probes instead.
func (n *Node) ReportUnreachable(id uint64) {
	pr := n.r.prs.progress[id]
	if n.r.role != RoleLeader || pr == nil || id == n.r.id {
		return
	}
	if pr.State == StateReplicate {
		pr.becomeProbe()
	}
}

// ReadIndex asks for a linearizable read (thesis §6.4) without writing to
// the log. ctx identifies the request; the answer comes back in a later
// Ready.ReadStates as (ctx, index): serve the read once the state machine
// has applied index. The leader answers after one heartbeat round, shared
// by every read that arrived since the last Ready, confirms it still leads,
// and not before it has committed an entry of its own term. A follower
// forwards the request to the leader. No answer ever comes if leadership
// changes meanwhile: the driver times out and asks again.
// ErrProposalDropped means no leader is known.
func (n *Node) ReadIndex(ctx []byte) error {
	return n.r.handleReadIndex(readRequest{ctx: ctx, from: n.r.id})
}
