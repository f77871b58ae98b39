package rafttest

import (
	"fmt"

	"skiff/raft"
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
	case p.Down && r.Float64() < s.faults.Restart:
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
	s.net.queue = nil // old messages would only slow things down; they are safe to lose
	for _, p := range s.peers {
		if p.Down {
			s.restart(p)
		}
	}
	s.tracef("healed: liveness phase")
	final := []byte(fmt.Sprintf("final-%d", s.opts.Seed))
	proposed := false
	for tick := 0; tick < s.opts.LivenessTicks; tick++ {
		if err := s.runTick(true); err != nil {
			return err
		}
		lead := s.agreedLeader()
		if lead == nil {
			continue
		}
		if !proposed {
			if err := lead.Node.Propose(final); err != nil {
				return fmt.Errorf("leader %d refused the final proposal: %w", lead.ID, err)
			}
			proposed = true
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

// agreedLeader returns the leader every node follows in one term, if any.
func (s *Sim) agreedLeader() *Peer {
	first := s.peers[0].Node.Status()
	if first.Lead == 0 {
		return nil
	}
	for _, p := range s.peers {
		st := p.Node.Status()
		if st.Lead != first.Lead || st.Term != first.Term {
			return nil
		}
	}
	lead := s.peers[first.Lead-1]
	if lead.Node.Status().Role != raft.RoleLeader {
		return nil
	}
	return lead
}

func (s *Sim) allApplied(data []byte) bool {
	for _, p := range s.peers {
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
