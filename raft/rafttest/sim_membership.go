package rafttest

import (
	"fmt"
	"slices"

	"skiff/raft"
	"skiff/raft/raftpb"
)

// The simulator's workload beyond proposals: membership changes, leadership
// transfers, snapshots with compaction and linearizable reads, each at
// random points with the rates of Faults. Members join the way a server
// does: a node starts with an empty log once some node has applied the
// change that adds it; a removed member stops for good once some node has
// applied its removal (a server learns it from its peers and exits).

// addPeer registers a started node.
func (s *Sim) addPeer(p *Peer) {
	s.peers = append(s.peers, p)
	s.byID[p.ID] = p
	p.OnConfChange = s.check.confChangeApplied
	s.check.peers = s.peers
}

// maxMembers bounds how many nodes a run may ever start.
func (s *Sim) maxMembers() int { return s.opts.Nodes + 3 }

// maybeChangeMembership has an operator propose one change to a random live
// node: add a learner or a voter, promote a learner, or remove a member.
func (s *Sim) maybeChangeMembership() {
	r := s.workRand
	if r.Float64() >= s.faults.ConfChange {
		return
	}
	p := s.peers[r.IntN(len(s.peers))]
	if p.Down {
		return
	}
	cs := p.Node.Status().Config
	var cc raftpb.ConfChange
	switch x := r.Float64(); {
	case x < 0.4 && len(s.peers) < s.maxMembers():
		cc = raftpb.ConfChange{Type: raftpb.ConfChangeAddLearner, NodeID: s.nextID}
		if r.IntN(2) == 0 {
			cc.Type = raftpb.ConfChangeAddNode
		}
		s.nextID++
	case x < 0.6 && len(cs.Learners) > 0:
		// p's view may be stale: the learner may have been removed since,
		// and then the drivers refuse the change (Peer.applyConfChange).
		cc = raftpb.ConfChange{Type: raftpb.ConfChangeAddNode, NodeID: cs.Learners[r.IntN(len(cs.Learners))]}
	case len(cs.Voters) > 3 || len(cs.Learners) > 0:
		// Leave at least three voters: a removed member stops as soon as
		// it applies its removal, and from two voters down to one the
		// survivor may never learn that the removal committed and then
		// waits for a vote from the stopped member forever (the known
		// two-member pitfall; etcd warns about it too).
		members := slices.Clone(cs.Learners)
		if len(cs.Voters) > 3 {
			members = append(members, cs.Voters...)
		}
		cc = raftpb.ConfChange{Type: raftpb.ConfChangeRemoveNode, NodeID: members[r.IntN(len(members))]}
	default:
		return
	}
	err := p.Node.ProposeConfChange(cc)
	s.tracef("propose %s at %d: %v", raft.DescribeConfChange(cc), p.ID, errString(err))
}

// afterApply starts the members that p's applied changes add and stops the
// ones they remove.
func (s *Sim) afterApply(p *Peer, ents []raftpb.Entry) {
	for _, e := range ents {
		if e.Type != raftpb.EntryConfChange {
			continue
		}
		var cc raftpb.ConfChange
		if err := cc.Unmarshal(e.Data); err != nil {
			s.check.fail("node %d applied an undecodable conf change at %d: %v", p.ID, e.Index, err)
			return
		}
		switch id := cc.NodeID; {
		case cc.Type == raftpb.ConfChangeRemoveNode && !s.removed[id] && s.byID[id] != nil:
			s.removed[id] = true
			s.byID[id].Crash()
			s.tracef("stop %d: removed", id)
		case cc.Type != raftpb.ConfChangeRemoveNode && s.byID[id] == nil && !wasRemoved(p.Applied, id):
			s.startJoiner(id, s.check.configAfter[e.Index])
		}
	}
}

// startJoiner starts a new member with an empty log, bootstrapped with the
// members it joins (thesis §4.2.1: it catches up before it counts).
func (s *Sim) startJoiner(id uint64, cs raftpb.ConfState) {
	drop := func(ids []uint64) []uint64 {
		return slices.DeleteFunc(slices.Clone(ids), func(x uint64) bool { return x == id })
	}
	boot := raftpb.ConfState{Voters: drop(cs.Voters), Learners: drop(cs.Learners)}
	p, err := NewJoiningPeer(id, boot, s.cfg)
	if err != nil {
		s.check.fail("starting joiner %d: %v", id, err)
		return
	}
	s.addPeer(p)
	s.tracef("start %d: joining %s", id, raft.DescribeConfState(boot))
}

// maybeSnapshot has a random live node snapshot its state machine and
// compact its log, keeping a few entries.
func (s *Sim) maybeSnapshot() {
	r := s.faultRand
	if r.Float64() >= s.faults.Snapshot {
		return
	}
	p := s.peers[r.IntN(len(s.peers))]
	if p.Down {
		return
	}
	idx, err := p.TakeSnapshot(uint64(r.IntN(4)))
	if err != nil {
		s.check.fail("%v", err)
		return
	}
	if idx > 0 {
		first, _ := p.Disk.FirstIndex()
		s.tracef("%d snapshot at %d, log from %d", p.ID, idx, first)
	}
}

// maybeReadIndex has a client ask a random live node for a linearizable
// read, and sometimes the leader hand over its leadership.
func (s *Sim) maybeReadIndex() {
	r := s.workRand
	if r.Float64() >= s.faults.ReadIndex {
		return
	}
	p := s.peers[r.IntN(len(s.peers))]
	if p.Down {
		return
	}
	if st := p.Node.Status(); st.Role == raft.RoleLeader && r.Float64() < s.faults.Transfer {
		to := st.Config.Voters[r.IntN(len(st.Config.Voters))]
		err := p.Node.TransferLeadership(to)
		s.tracef("transfer %d->%d: %v", p.ID, to, errString(err))
		return
	}
	s.readSeq++
	ctx := fmt.Sprintf("read%d", s.readSeq)
	err := p.Node.ReadIndex([]byte(ctx))
	if err == nil {
		s.check.readAsked(ctx)
	}
	s.tracef("read-index %q at %d: %v", ctx, p.ID, errString(err))
}

// reportSnapshot tells the sender of an InstallSnapshot how the send went,
// as a transport does.
func (s *Sim) reportSnapshot(m raftpb.Message, failed bool) {
	if m.Type != raftpb.MsgInstallSnapshot {
		return
	}
	if p := s.byID[m.From]; p != nil && !p.Down {
		p.Node.ReportSnapshot(m.To, failed)
	}
}
