package rafttest

import (
	"slices"

	"skiff/raft"
	"skiff/raft/raftpb"
)

// The checkers for membership changes, snapshots and reads:
//
//  6. Configuration changes are appended one at a time: a leader appends a
//     change only after it has applied every earlier change in its log and
//     an entry of its own term (the 2015 rule); and every node that applies
//     the change at an index ends with the same configuration.
//  7. No two disjoint majorities: whenever a leader is elected or commits,
//     the configuration it counts with has no majority disjoint from a
//     majority of the latest committed configuration.
//  8. Reads are never stale: every ReadIndex answer is at least the highest
//     index any node had reported committed when the read was asked.
//  9. A restored snapshot holds exactly the entries applied elsewhere.

// configChecks is the checker's state for 6–9.
type configChecks struct {
	committedConf raftpb.ConfState            // after the last committed change
	removedIDs    map[uint64]bool             // members removed by a committed change
	configAfter   map[uint64]raftpb.ConfState // index -> config after applying the change there
	reads         map[string]uint64           // read ctx -> highest commit reported when asked
}

// checkConfChangeAppend checks rule 6 for entries a leader persisted.
func (c *checker) checkConfChangeAppend(p *Peer, ents []raftpb.Entry, st raft.Status) {
	for _, e := range ents {
		if e.Type != raftpb.EntryConfChange || e.Term != st.Term {
			continue
		}
		n := len(p.Applied)
		if n == 0 || p.Applied[n-1].Term != st.Term {
			c.fail("one at a time: leader %d of term %d appended a change at %d before applying an entry of its term (applied %d)",
				p.ID, st.Term, e.Index, n)
			return
		}
		first, _ := p.Disk.FirstIndex()
		prior, _ := p.Disk.Entries(max(first, uint64(n)+1), e.Index, ^uint64(0))
		for _, x := range prior {
			if x.Type == raftpb.EntryConfChange {
				c.fail("one at a time: leader %d appended a change at %d while the change at %d was not applied (applied %d)",
					p.ID, e.Index, x.Index, n)
				return
			}
		}
	}
}

// confChangeApplied checks that p's configuration after applying the
// change at e is the one every other node got there.
//
// A joining node replays the log from its start with the configuration it
// joined (thesis §4.2.1), so before the change that adds it its
// configurations are not the cluster's; it uses none of them (it is no
// member), and from that change on they match. So only the changes a node
// applies as a member, and the one adding it, are compared.
func (c *checker) confChangeApplied(p *Peer, e raftpb.Entry, before raftpb.ConfState) {
	var cc raftpb.ConfChange
	_ = cc.Unmarshal(e.Data)
	member := slices.Contains(before.Voters, p.ID) || slices.Contains(before.Learners, p.ID)
	if !member && (cc.NodeID != p.ID || cc.Type == raftpb.ConfChangeRemoveNode) {
		return
	}
	if old, ok := c.configAfter[e.Index]; ok && !old.Equal(p.Config) {
		c.fail("node %d applied the change at %d and has %s; another node got %s",
			p.ID, e.Index, raft.DescribeConfState(p.Config), raft.DescribeConfState(old))
	}
	c.configAfter[e.Index] = p.Config
}

// noteCommittedConf advances the latest committed configuration when the
// entry at (index, term), just recorded committed, is a change.
func (c *checker) noteCommittedConf(index, term uint64) {
	rec, ok := c.entries[[2]uint64{index, term}]
	if !ok || rec.typ != raftpb.EntryConfChange {
		return
	}
	var cc raftpb.ConfChange
	if err := cc.Unmarshal([]byte(rec.data)); err != nil {
		c.fail("committed conf change at %d is undecodable: %v", index, err)
		return
	}
	switch {
	case cc.Type == raftpb.ConfChangeRemoveNode:
		c.removedIDs[cc.NodeID] = true
	case c.removedIDs[cc.NodeID]:
		return // the drivers refuse to add a removed member back (Peer.applyConfChange)
	}
	c.committedConf = modelChange(c.committedConf, cc)
}

// checkLeaderMajority checks rule 7 for a leader that was just elected or
// just committed.
func (c *checker) checkLeaderMajority(p *Peer, st raft.Status) {
	if disjointMajorities(st.Config.Voters, c.committedConf.Voters) {
		c.fail("disjoint majorities: leader %d of term %d counts with %s, the latest committed configuration is %s",
			p.ID, st.Term, raft.DescribeConfState(st.Config), raft.DescribeConfState(c.committedConf))
	}
}

// disjointMajorities reports whether a majority of a and a majority of b
// can be disjoint: take a's majority from outside b first, b's from outside
// a, and see whether what remains of each fits in the shared part.
func disjointMajorities(a, b []uint64) bool {
	shared := 0
	for _, id := range a {
		if slices.Contains(b, id) {
			shared++
		}
	}
	needA := max(0, len(a)/2+1-(len(a)-shared))
	needB := max(0, len(b)/2+1-(len(b)-shared))
	return needA+needB <= shared
}

// readAsked records the commit index every read must reach.
func (c *checker) readAsked(ctx string) {
	c.reads[ctx] = uint64(len(c.committed) - 1)
}

// readStates checks rule 8 for the answers p's driver received.
func (c *checker) readStates(p *Peer, rss []raft.ReadState) {
	for _, rs := range rss {
		want, ok := c.reads[string(rs.RequestCtx)]
		switch {
		case !ok:
			c.fail("node %d got an answer to a read nobody asked: %q", p.ID, rs.RequestCtx)
		case rs.Index < want:
			c.fail("stale read: node %d answered read %q with index %d, but %d was committed before it was asked",
				p.ID, rs.RequestCtx, rs.Index, want)
		}
		// A duplicated forward may be answered twice; both answers must
		// hold, so the record stays.
	}
}

// restored checks rule 9 for a snapshot p's driver just restored.
func (c *checker) restored(p *Peer, index uint64) {
	if uint64(len(p.Applied)) < index || (index > 0 && p.Applied[index-1].Index != index) {
		c.fail("node %d restored a snapshot at %d holding %d entries", p.ID, index, len(p.Applied))
		return
	}
	for _, e := range p.Applied[:index] {
		if e.Index >= uint64(len(c.appliedAt)) {
			c.fail("node %d restored entry %d from a snapshot, which nobody applied", p.ID, e.Index)
			return
		}
		if a := c.appliedAt[e.Index]; a.Term != e.Term || string(a.Data) != string(e.Data) {
			c.fail("state machine safety: node %d restored %s at %d from a snapshot, another node applied %s",
				p.ID, raft.DescribeEntry(e), e.Index, raft.DescribeEntry(a))
			return
		}
	}
}

// modelChange is the checker's own model of a single-server change.
func modelChange(cs raftpb.ConfState, cc raftpb.ConfChange) raftpb.ConfState {
	del := func(ids []uint64) []uint64 {
		return slices.DeleteFunc(slices.Clone(ids), func(x uint64) bool { return x == cc.NodeID })
	}
	out := raftpb.ConfState{Voters: slices.Clone(cs.Voters), Learners: slices.Clone(cs.Learners)}
	switch cc.Type {
	case raftpb.ConfChangeAddNode:
		if !slices.Contains(out.Voters, cc.NodeID) {
			out.Voters, out.Learners = append(out.Voters, cc.NodeID), del(out.Learners)
			slices.Sort(out.Voters)
		}
	case raftpb.ConfChangeAddLearner:
		if !slices.Contains(out.Voters, cc.NodeID) && !slices.Contains(out.Learners, cc.NodeID) {
			out.Learners = append(out.Learners, cc.NodeID)
			slices.Sort(out.Learners)
		}
	case raftpb.ConfChangeRemoveNode:
		out.Voters, out.Learners = del(out.Voters), del(out.Learners)
	}
	return out
}
