package raft

import (
	"encoding/binary"

	"skiff/raft/raftpb"
)

// ReadState answers a ReadIndex request (thesis §6.4): once the driver's
// state machine has applied Index, a read done there for RequestCtx sees
// every write committed before the request was made, so it is linearizable.
type ReadState struct {
	Index      uint64
	RequestCtx []byte
}

// readRequest is one ReadIndex request waiting at the leader.
type readRequest struct {
	ctx  []byte
	from uint64 // the node that asked: the leader itself or a follower
}

// readRound is one heartbeat round that confirms leadership for a batch of
// reads (thesis §6.4 step 3). Its id travels in the heartbeats' Context and
// comes back in the answers.
type readRound struct {
	id    uint64
	ctx   []byte // id, encoded: the heartbeats' Context
	index uint64 // the commit index when the round started: the read index
	reads []readRequest
	acks  map[uint64]bool
}

// readOnly is the leader's queue of linearizable reads.
//
// Invariants:
//  1. At most one round is in flight. Reads that arrive while it is out
//     wait and go together in the next round, which starts at the first
//     Ready after it is confirmed: under load a round carries every read
//     of a round trip instead of one round per Ready, and each follower
//     answers one heartbeat per round trip.
//  2. Nothing waits and no round is in flight on a node that is not
//     leader: a deposed leader answers nothing (resetReads clears both).
type readOnly struct {
	waiting   []readRequest // not yet in a round
	round     readRound     // the round in flight, when inFlight
	inFlight  bool
	lastRound uint64
	forward   [][]byte // a follower's reads, sent to the leader at the next Ready
}

// handleReadIndex takes a read request from the local driver. A follower
// forwards its requests to the leader, all those of one Ready in one
// message; the leader's answer returns as a ReadIndexResponse.
func (r *raft) handleReadIndex(req readRequest) error {
	switch {
	case r.role == RoleLeader:
		r.readOnly.waiting = append(r.readOnly.waiting, req)
		return nil
	case r.role == RoleFollower && r.lead != 0:
		r.readOnly.forward = append(r.readOnly.forward, req.ctx)
		return nil
	}
	return errNoLeader
}

// handleForwardedReads takes the reads a follower forwarded: one per entry
// (the entry's Data is the request's context).
func (r *raft) handleForwardedReads(m raftpb.Message) {
	if r.role != RoleLeader {
		return // no longer leads: the askers time out and retry
	}
	for _, e := range m.Entries {
		r.readOnly.waiting = append(r.readOnly.waiting, readRequest{ctx: e.Data, from: m.From})
	}
}

// flushForwards sends a follower's reads to the leader in one message.
func (r *raft) flushForwards() {
	ro := &r.readOnly
	if len(ro.forward) == 0 {
		return
	}
	if r.role == RoleFollower && r.lead != 0 {
		ents := make([]raftpb.Entry, len(ro.forward))
		for i, ctx := range ro.forward {
			ents[i].Data = ctx
		}
		r.send(raftpb.Message{Type: raftpb.MsgReadIndex, To: r.lead, Entries: ents})
	}
	ro.forward = ro.forward[:0]
}

// committedInTerm reports whether the leader has committed an entry of its
// own term. Until it has, its commit index may lag behind entries that
// earlier leaders committed (thesis §6.4 step 1; etcd-io/etcd#7331).
func (r *raft) committedInTerm() bool {
	t, err := r.log.term(r.log.committed)
	return err == nil && t == r.term
}

// readsReady reports whether flushReads has work.
func (r *raft) readsReady() bool {
	if len(r.readOnly.forward) > 0 {
		return true
	}
	ro := &r.readOnly
	return r.role == RoleLeader && !ro.inFlight && len(ro.waiting) > 0 && r.committedInTerm()
}

// flushReads starts one heartbeat round for every read waiting, if no
// round is in flight (thesis §6.4 steps 2–3, batched: "the leader can
// amortize the cost of confirming leadership across many read-only
// queries"). Reads wait while the leader has committed no entry of its
// term.
func (r *raft) flushReads() {
	r.flushForwards()
	ro := &r.readOnly
	if ro.inFlight {
		r.retryRound()
	}
	if !r.readsReady() {
		return
	}
	round := &ro.round
	round.index = r.log.committed
	round.reads, ro.waiting = ro.waiting, round.reads[:0]
	if round.acks == nil {
		round.acks = map[uint64]bool{}
	}
	clear(round.acks)
	round.acks[r.id] = true
	if r.readConfirmed(round) || r.leaseReads && r.inLease() {
		// A single voter is a quorum by itself; with lease reads the
		// leader trusts its lease instead of a round (thesis §6.4.1).
		r.releaseReads(round)
		return
	}
	ro.lastRound++
	round.id = ro.lastRound
	// A new slice each round: the heartbeats keep it until they are sent.
	round.ctx = binary.BigEndian.AppendUint64(make([]byte, 0, 8), round.id)
	ro.inFlight = true
	r.bcastHeartbeatWith(round.ctx)
}

// retryRound lets the periodic heartbeats (tickLeader) carry the id of the
// round in flight, so a round whose heartbeats or answers were lost is
// confirmed by the next heartbeat interval's answers, and its reads (and
// those waiting behind it) are not stranded. Only heartbeats made after the
// round started qualify: an answer to one proves the follower still
// followed this leader after the read index was chosen. Called before
// flushReads starts a round, so the round in flight started at an earlier
// Ready; r.msgs is emptied at every Ready, so everything in it was made
// after the round started.
func (r *raft) retryRound() {
	for i := range r.msgs {
		if m := &r.msgs[i]; m.Type == raftpb.MsgHeartbeat && m.Context == nil {
			m.Context = r.readOnly.round.ctx
		}
	}
}

// inLease reports whether a quorum of voters answered this leader within
// the last half election timeout (thesis §6.4.1). Each of them heard the
// leader shortly before it answered, so for the rest of an election
// timeout from then it refuses to vote for anyone else (step.go,
// inLeaderLease), and no other leader can be elected. The half timeout of
// margin covers the time the messages took and the drift between the
// nodes' tick rates; if either can exceed it, lease reads are not safe.
// Outside the lease the read falls back to a heartbeat round.
func (r *raft) inLease() bool {
	n := 0
	for _, id := range r.prs.voters {
		if id == r.id || r.prs.progress[id].sinceHeard < r.electionTick/2 {
			n++
		}
	}
	return n >= r.prs.quorum()
}

// handleReadAck counts a heartbeat answer for the round in flight and
// releases its reads once a quorum has confirmed it. Answers to earlier
// rounds prove nothing about this one: the follower answered before this
// round's read index was chosen.
func (r *raft) handleReadAck(from uint64, ctx []byte) {
	ro := &r.readOnly
	if len(ctx) != 8 || !ro.inFlight || binary.BigEndian.Uint64(ctx) != ro.round.id {
		return
	}
	ro.round.acks[from] = true
	if r.readConfirmed(&ro.round) {
		r.releaseReads(&ro.round)
		ro.inFlight = false
	}
}

// readConfirmed reports whether a quorum of voters answered round.
func (r *raft) readConfirmed(round *readRound) bool {
	n := 0
	for _, id := range r.prs.voters {
		if round.acks[id] {
			n++
		}
	}
	return n >= r.prs.quorum()
}

// releaseReads answers every read of a confirmed round with its index:
// local ones in ReadStates, forwarded ones with one ReadIndexResponse per
// follower, its entries carrying the contexts.
func (r *raft) releaseReads(round *readRound) {
	var answers map[uint64][]raftpb.Entry
	var order []uint64
	for _, req := range round.reads {
		if req.from == r.id {
			r.readStates = append(r.readStates, ReadState{Index: round.index, RequestCtx: req.ctx})
			continue
		}
		if answers == nil {
			answers = map[uint64][]raftpb.Entry{}
		}
		if _, ok := answers[req.from]; !ok {
			order = append(order, req.from)
		}
		answers[req.from] = append(answers[req.from], raftpb.Entry{Data: req.ctx})
	}
	// The slice is reused for a later batch; drop the contexts it holds.
	clear(round.reads)
	for _, to := range order {
		r.send(raftpb.Message{Type: raftpb.MsgReadIndexResponse, To: to, ReadIndex: round.index, Entries: answers[to]})
	}
}

// handleReadIndexResponse delivers the leader's answers to forwarded reads.
func (r *raft) handleReadIndexResponse(m raftpb.Message) {
	for _, e := range m.Entries {
		r.readStates = append(r.readStates, ReadState{Index: m.ReadIndex, RequestCtx: e.Data})
	}
}

// resetReads forgets every pending read: after a role change nothing this
// node collected may be answered (invariant 2).
func (r *raft) resetReads() {
	r.readOnly = readOnly{lastRound: r.readOnly.lastRound, forward: r.readOnly.forward[:0]}
}
