package server

import (
	"context"
	"fmt"
	"time"

	"skiff/raft/raftpb"
)

// maxProposalBatch bounds how many waiting proposals the loop takes in one
// go before it handles a Ready: they then share one WAL write and one fsync.
// 256 keeps a Ready's entries well under raft's 1 MiB message size for
// ordinary values while amortizing the fsync over many requests.
const maxProposalBatch = 256

// run is the raft loop, the one goroutine that drives the raft node
// (invariant 1 of Server). Each turn it feeds raft one input (a tick,
// a peer's message, proposals, a transport report), then the peer messages
// and proposals already waiting (drainInputs), and then handles every Ready
// raft has (ready.go) until none is left.
func (s *Server) run() {
	defer close(s.loopDone)
	ticker := time.NewTicker(s.cfg.HeartbeatInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			s.node.Tick()
			s.maybePromoteLearner()
		case m := <-s.recvc:
			s.step(m)
		case p := <-s.propc:
			s.proposeBatch(p)
		case r := <-s.reportc:
			s.handleReport(r)
		case q := <-s.statusc:
			st := s.node.Status()
			q <- st
		case d := <-s.pausec: // PauseLoop, a test hook
			s.pause(d)
		case <-s.stopping:
			s.saveStatus()
			return
		}
		s.drainInputs()
		if err := s.handleReadies(); err != nil {
			s.saveStatus()
			s.fail(err)
			return
		}
	}
}

// step feeds a peer's message to raft. A message raft refuses is logged,
// never fatal: a peer cannot take this member down.
func (s *Server) step(m raftpb.Message) {
	s.latency.noteReceived(m, time.Now())
	if err := s.node.Step(m); err != nil {
		s.lg.Debug("raft refused a message", "from", hexID(m.From), "type", m.Type.String(), "err", err)
	}
}

// maxDrain bounds how many waiting messages and proposal batches the loop
// takes after its one input before it handles a Ready, so a flood of input
// cannot hold off the ticks (and so the heartbeats) for long.
const maxDrain = 64

// drainInputs feeds raft the peer messages and proposals that are already
// waiting, so that one Ready, one WAL write and one fsync cover them all
// instead of one each: on the leader, the followers' acknowledgements and
// the next proposals arrive together while it writes.
func (s *Server) drainInputs() {
	for range maxDrain {
		select {
		case m := <-s.recvc:
			s.step(m)
		case p := <-s.propc:
			s.proposeBatch(p)
		default:
			return
		}
	}
}

// proposeBatch proposes p and whatever other proposals are already waiting.
func (s *Server) proposeBatch(p proposal) {
	s.submitAndAnswer(p)
	for range maxProposalBatch - 1 {
		select {
		case p := <-s.propc:
			s.submitAndAnswer(p)
		default:
			return
		}
	}
}

// submitAndAnswer submits p and tells its sender how raft took it: on errc,
// or for a command only if it failed, through the wait registry.
func (s *Server) submitAndAnswer(p proposal) {
	err := s.submit(p)
	switch {
	case p.errc != nil:
		p.errc <- err
	case err != nil:
		s.waits.trigger(p.id, result{err: err})
	}
}

// submit gives one proposal to raft.
func (s *Server) submit(p proposal) error {
	if p.read != nil {
		return s.node.ReadIndex(p.read)
	}
	if p.conf != nil {
		return s.node.ProposeConfChange(*p.conf)
	}
	if p.transfer != 0 {
		return s.node.TransferLeadership(p.transfer)
	}
	return s.node.Propose(p.data)
}

func (s *Server) handleReport(r report) {
	if r.snapshot {
		s.reportSnapshot(r.id, r.snapFailed)
		return
	}
	s.node.ReportUnreachable(r.id)
}

// saveStatus keeps raft's last state for RaftStatus after the loop ends.
func (s *Server) saveStatus() {
	st := s.node.Status()
	s.lastStat.Store(&st)
}

// handleReadies handles Ready batches until raft has no more work. An error
// means the WAL or the snapshot files failed, and the member must stop.
func (s *Server) handleReadies() error {
	for s.node.HasReady() {
		if err := s.handleReady(); err != nil {
			return err
		}
	}
	return nil
}

// The transport's view of this member (transport.Raft). The transport calls
// these from its own goroutines; they hand the call to the raft loop.

// Process delivers a message from a peer to the raft loop.
func (s *Server) Process(ctx context.Context, m raftpb.Message) error {
	select {
	case s.recvc <- m:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.stopping:
		return fmt.Errorf("member %s is stopping", hexID(s.id))
	}
}

// ReportUnreachable tells raft that messages to id were lost.
func (s *Server) ReportUnreachable(id uint64) {
	select {
	case s.reportc <- report{id: id}:
	case <-s.stopping:
	}
}

// ReportSnapshot tells raft whether a snapshot reached id.
func (s *Server) ReportSnapshot(id uint64, failed bool) {
	select {
	case s.reportc <- report{id: id, snapshot: true, snapFailed: failed}:
	case <-s.stopping:
	}
}
