package rafttest

import (
	"errors"
	"fmt"

	"skiff/raft"
	"skiff/raft/raftpb"
)

// injectFaults applies this tick's partition, heal, crash and restart
// decisions.
func (s *Sim) injectFaults() {
	r := s.faultRand
	if r.Float64() < s.faults.Partition {
		s.net.heal()
		perm := r.Perm(len(s.peers))
		cut := 1 + r.IntN(len(s.peers)-1)
		var a, b []*Peer
		for i, j := range perm {
			if i < cut {
				a = append(a, s.peers[j])
			} else {
				b = append(b, s.peers[j])
			}
		}
		oneWay := r.Float64() < s.faults.OneWay
		s.net.partition(ids(a), ids(b), oneWay)
		s.tracef("partition %v | %v oneWay=%v", ids(a), ids(b), oneWay)
	} else if len(s.net.cut) > 0 && r.Float64() < s.faults.Heal {
		s.net.heal()
		s.tracef("heal")
	}
	if r.Float64() < s.faults.CrashLeader {
		for _, p := range s.peers {
			if p.statusIfUp().Role == raft.RoleLeader {
				s.crash(p, "(leader)")
			}
		}
	}
	p := s.peers[r.IntN(len(s.peers))]
	switch {
	case !p.Down && r.Float64() < s.faults.Crash:
		s.crash(p, "")
	case p.Down && r.Float64() < s.faults.Restart && !s.removed[p.ID]:
		s.restart(p)
	}
}

func (s *Sim) crash(p *Peer, why string) {
	p.Crash()
	s.tracef("crash %d %s", p.ID, why)
}

func (s *Sim) restart(p *Peer) {
	if err := p.Restart(); err != nil {
		s.check.fail("restart %d: %v", p.ID, err)
		return
	}
	s.check.restarted(p)
	st := p.Node.Status()
	s.tracef("restart %d term=%d commit=%d last=%d", p.ID, st.Term, st.Commit, st.LastIndex)
}

// checkLiveness heals everything and requires, within LivenessTicks, one
// leader that every node follows, and a fresh proposal applied everywhere.
func (s *Sim) checkLiveness() error {
	s.net.heal()
	for _, f := range s.net.queue {
		s.reportSnapshot(f.msg, true) // a transport always reports a snapshot send
	}
	s.net.queue = nil // old messages would only slow things down; they are safe to lose
	for _, p := range s.peers {
		if p.Down && !s.removed[p.ID] {
			s.restart(p)
		}
	}
	s.tracef("healed: liveness phase")
	final := []byte(fmt.Sprintf("final-%d", s.opts.Seed))
	var proposedTo [2]uint64 // the leader and term the final proposal went to
	for tick := 0; tick < s.opts.LivenessTicks; tick++ {
		if err := s.runTick(true); err != nil {
			return err
		}
		lead := s.agreedLeader()
		if lead == nil {
			continue
		}
		// A client whose leader changed before its proposal was applied
		// (the leader was removed, or had been asked to transfer) asks
		// the new leader again; the same data applied twice is fine here.
		if at := [2]uint64{lead.ID, lead.Node.Status().Term}; at != proposedTo && !s.allApplied(final) {
			err := lead.Node.Propose(final)
			if errors.Is(err, raft.ErrProposalDropped) {
				continue // a leadership transfer under way: a client retries
			}
			if err != nil {
				return fmt.Errorf("leader %d refused the final proposal: %w", lead.ID, err)
			}
			proposedTo = at
			s.tracef("propose %q at %d", final, lead.ID)
		}
		if s.allApplied(final) {
			s.tracef("final proposal applied everywhere after %d ticks", tick+1)
			return nil
		}
	}
	return fmt.Errorf("liveness: after healing, no leader committed a proposal on every node within %d ticks "+
		"(leader agreed: %v)", s.opts.LivenessTicks, s.agreedLeader() != nil)
}

// agreedLeader returns the leader every member of its configuration
// follows in its term, if any.
func (s *Sim) agreedLeader() *Peer {
	var lead *Peer
	var st raft.Status
	for _, p := range s.peers {
		if ps := p.statusIfUp(); ps.Role == raft.RoleLeader && (lead == nil || ps.Term > st.Term) {
			lead, st = p, ps
		}
	}
	if lead == nil {
		return nil
	}
	for _, id := range members(st.Config) {
		p := s.byID[id]
		if p == nil || p.Down {
			return nil
		}
		if ps := p.Node.Status(); ps.Lead != lead.ID || ps.Term != st.Term {
			return nil
		}
	}
	return lead
}

// allApplied reports whether every member of the leader's configuration
// has applied data.
func (s *Sim) allApplied(data []byte) bool {
	lead := s.agreedLeader()
	if lead == nil {
		return false
	}
	for _, id := range members(lead.Node.Status().Config) {
		p := s.byID[id]
		found := false
		for i := len(p.Applied) - 1; i >= 0 && !found; i-- {
			found = string(p.Applied[i].Data) == string(data)
		}
		if !found {
			return false
		}
	}
	return true
}

func members(cs raftpb.ConfState) []uint64 {
	return append(append([]uint64(nil), cs.Voters...), cs.Learners...)
}
