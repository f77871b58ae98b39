package server

import (
	"context"
	"encoding/binary"
	"sync/atomic"
	"time"

	"skiff/raft"
)

// LinearizableRead returns once this member's store reflects every write
// committed when the call began (thesis §6.4, ReadIndex): raft confirms with
// a heartbeat round that this member's leader still leads and hands back its
// commit index; the read then waits until that index is applied here. No
// entry is written, so a quorum read costs no fsync.
//
// Reads share rounds, as etcd's linearizable read loop does: readLoop runs
// one round at a time, for every read that arrived before the round began
// (so each read's index is confirmed after the read started). A read's own
// cost is a mutex, one wait and a shared wake-up (close of the round's
// done); the ReadIndex request, its timers and the applied-index wait are
// paid once per round. Each round gives up after the request timeout, so
// the call returns within about twice that even if ctx has no deadline.
func (s *Server) LinearizableRead(ctx context.Context) error {
	s.readMu.Lock()
	round := s.nextRead
	s.readMu.Unlock()
	if !round.asked.Load() && round.asked.CompareAndSwap(false, true) {
		// The first read of a round wakes the loop; the others only wait.
		s.readWake <- struct{}{} // never blocks: see readRound.asked
	}
	select {
	case <-round.done:
		if round.err != nil {
			return s.proposeError(ctx, round.err)
		}
		return nil
	case <-ctx.Done():
		return s.proposeError(ctx, ctx.Err())
	}
}

// readRound is one ReadIndex round shared by the reads waiting for it; err
// is set before done is closed.
type readRound struct {
	done chan struct{}
	err  error
	// asked is set by the first read to join; only that read signals
	// readWake, so a round is signalled at most once. The loop takes a
	// signal before it replaces each round, so it cannot replace a round
	// before that round's signal is sent, and every earlier signal has
	// been taken by then: the send finds the buffer of one empty.
	asked atomic.Bool
}

func newReadRound() *readRound { return &readRound{done: make(chan struct{})} }

// readLoop runs the ReadIndex rounds, one at a time, while reads wait.
func (s *Server) readLoop() {
	defer s.bgWG.Done()
	for {
		select {
		case <-s.readWake:
		case <-s.stopping:
			s.readMu.Lock()
			round := s.nextRead
			s.readMu.Unlock()
			round.err = ErrStopped
			close(round.done)
			return
		}
		s.readMu.Lock()
		round := s.nextRead
		s.nextRead = newReadRound()
		s.readMu.Unlock()
		round.err = s.confirmRead()
		close(round.done)
	}
}

// confirmRead runs one round: a read index from raft, then the wait until
// this member has applied it.
func (s *Server) confirmRead() error {
	ctx, cancel := context.WithTimeout(context.Background(), s.requestTimeout())
	defer cancel()
	for {
		index, err := s.readIndex(ctx)
		if err != nil {
			return s.proposeError(ctx, err)
		}
		if index == 0 {
			continue // the answer was lost (a leader change); ask again
		}
		if s.applied.Load() >= index {
			return nil // as on the leader, which applies before it answers
		}
		select {
		case <-s.appliedW.wait(index):
			if s.applied.Load() >= index {
				return nil
			}
			return ErrStopped
		case <-s.stopping:
			return ErrStopped
		case <-ctx.Done():
			return s.proposeError(ctx, ctx.Err())
		}
	}
}

// readIndex asks raft for a read index and waits for it, up to an election
// timeout; 0 means no answer came and the caller should ask again.
func (s *Server) readIndex(ctx context.Context) (uint64, error) {
	id := s.reqIDs.newID()
	resc := s.waits.register(id)
	defer s.waits.cancel(id)
	rctx := binary.BigEndian.AppendUint64(nil, id)
	if err := s.proposeToLoop(ctx, proposal{read: rctx}); err != nil {
		return 0, err
	}
	timer := time.NewTimer(s.cfg.ElectionTimeout)
	defer timer.Stop()
	select {
	case res := <-resc:
		return res.index, res.err
	case <-timer.C:
		return 0, nil
	case <-s.stopping:
		return 0, ErrStopped
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// handleReadStates hands raft's read indexes to the reads waiting for them.
func (s *Server) handleReadStates(states []raft.ReadState) {
	for _, rs := range states {
		if len(rs.RequestCtx) == 8 {
			s.waits.trigger(binary.BigEndian.Uint64(rs.RequestCtx), result{index: rs.Index})
		}
	}
}
