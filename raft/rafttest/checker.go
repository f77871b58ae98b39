package rafttest

import (
	"fmt"

	"skiff/raft"
	"skiff/raft/raftpb"
)

// checker verifies Raft's safety properties (Figure 3 of the paper) after
// every step of a simulation, from what each driver persisted and applied:
//
//  1. Election Safety: at most one leader per term.
//  2. Log Matching: entries with the same index and term hold the same data
//     and follow entries of the same term (so, by induction, the logs are
//     identical up to there).
//  3. Leader Completeness: an entry committed in term T is in the log of
//     every leader of a term after T. The checker does not see the exact
//     term an entry was committed in, so it uses an upper bound, the term of
//     the node that reported the commit (commits only happen in the
//     reporter's current term); that keeps the check free of false alarms.
//  4. State Machine Safety: every node applies the same entry at each
//     index, in order from 1.
//  5. Monotonicity: a node's persisted term and commit index never go
//     down, its persisted vote never changes within a term, and it never
//     applies out of order.
//
// checker_config.go adds checks 6–9 for membership, snapshots and reads.
// Entries a node holds only inside a snapshot are checked through the
// state machine (check 9), not through its log.
type checker struct {
	peers     []*Peer
	leaders   map[uint64]uint64         // term -> leader id
	entries   map[[2]uint64]entryRecord // (index, term) -> what is there
	committed []commitRecord            // the committed entry at each index (index 0 unused)
	appliedAt []raftpb.Entry            // the entry applied at each index (index 0 unused)
	hard      map[uint64]raftpb.HardState
	configChecks
	err error
}

// commitRecord is a committed entry's term and an upper bound on the term
// in which it was committed.
type commitRecord struct {
	term, by uint64
}

type entryRecord struct {
	typ      raftpb.EntryType
	data     string
	prevTerm uint64
}

func newChecker(peers []*Peer, initial raftpb.ConfState) *checker {
	return &checker{peers: peers, leaders: map[uint64]uint64{}, entries: map[[2]uint64]entryRecord{},
		committed: []commitRecord{{}}, appliedAt: []raftpb.Entry{{}}, hard: map[uint64]raftpb.HardState{},
		configChecks: configChecks{committedConf: initial, configAfter: map[uint64]raftpb.ConfState{},
			removedIDs: map[uint64]bool{}, reads: map[string]uint64{}}}
}

func (c *checker) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf(format, args...)
	}
}

// persisted checks a Ready that p's driver has just written to its disk.
// st is the node's status when it handed out rd.
func (c *checker) persisted(p *Peer, rd raft.Ready, st raft.Status) {
	c.checkEntries(p, rd.Entries)
	if st.Role == raft.RoleLeader {
		c.checkConfChangeAppend(p, rd.Entries, st)
	}
	if !rd.HardState.IsEmpty() {
		c.checkHardState(p, rd.HardState)
		if st.Role == raft.RoleLeader && rd.HardState.Commit > 0 {
			c.checkLeaderMajority(p, st)
		}
	}
	if rd.SoftState != nil && rd.SoftState.Role == raft.RoleLeader {
		term := st.Term
		if other, ok := c.leaders[term]; ok && other != p.ID {
			c.fail("election safety: nodes %d and %d are both leaders of term %d", other, p.ID, term)
		}
		c.leaders[term] = p.ID
		c.checkLeaderHasCommitted(p, term, 1)
		c.checkLeaderMajority(p, st)
	}
}

// checkEntries registers newly persisted entries (Log Matching).
func (c *checker) checkEntries(p *Peer, ents []raftpb.Entry) {
	for _, e := range ents {
		prevTerm, err := p.Disk.Term(e.Index - 1)
		if err != nil {
			c.fail("node %d: no term for index %d before persisted entry %s: %v", p.ID, e.Index-1, raft.DescribeEntry(e), err)
			return
		}
		rec := entryRecord{typ: e.Type, data: string(e.Data), prevTerm: prevTerm}
		key := [2]uint64{e.Index, e.Term}
		if old, ok := c.entries[key]; ok && old != rec {
			c.fail("log matching: node %d has %s after term %d, another node has %q after term %d",
				p.ID, raft.DescribeEntry(e), prevTerm, old.data, old.prevTerm)
		}
		c.entries[key] = rec
	}
}

// checkHardState checks monotonicity and records newly committed entries.
func (c *checker) checkHardState(p *Peer, hs raftpb.HardState) {
	old := c.hard[p.ID]
	switch {
	case hs.Term < old.Term:
		c.fail("node %d: persisted term went down from %d to %d", p.ID, old.Term, hs.Term)
	case hs.Term == old.Term && old.Vote != 0 && hs.Vote != old.Vote:
		c.fail("node %d: vote in term %d changed from %d to %d", p.ID, hs.Term, old.Vote, hs.Vote)
	case hs.Commit < old.Commit:
		c.fail("node %d: persisted commit went down from %d to %d", p.ID, old.Commit, hs.Commit)
	}
	c.hard[p.ID] = hs
	first, _ := p.Disk.FirstIndex()
	for i := old.Commit + 1; i <= hs.Commit; i++ {
		if i+1 < first {
			// Covered by a snapshot from the leader, which committed
			// (and recorded) it first.
			if i >= uint64(len(c.committed)) {
				c.fail("node %d committed %d through a snapshot before anyone committed it", p.ID, i)
				return
			}
			continue
		}
		t, err := p.Disk.Term(i)
		if err != nil {
			c.fail("node %d committed %d but has no entry there: %v", p.ID, i, err)
			return
		}
		c.recordCommitted(p.ID, i, commitRecord{term: t, by: hs.Term})
	}
}

// recordCommitted notes that entry i is committed and checks that no other
// entry was committed at i and that every current leader of a later term
// holds it.
func (c *checker) recordCommitted(id, i uint64, rec commitRecord) {
	if i < uint64(len(c.committed)) {
		old := &c.committed[i]
		if old.term != rec.term {
			c.fail("state machine safety: node %d committed term %d at index %d, term %d was committed there before",
				id, rec.term, i, old.term)
		}
		old.by = min(old.by, rec.by)
		return
	}
	if i > uint64(len(c.committed)) {
		c.fail("checker: node %d committed %d before anyone committed %d", id, i, len(c.committed))
		return
	}
	c.committed = append(c.committed, rec)
	c.noteCommittedConf(i, rec.term)
	for _, p := range c.peers {
		if st := p.statusIfUp(); st.Role == raft.RoleLeader && st.Term > rec.by {
			c.checkLeaderHasCommitted(p, st.Term, i)
		}
	}
}

// checkLeaderHasCommitted checks Leader Completeness for p, leader of term,
// for the committed entries from index `from` on.
func (c *checker) checkLeaderHasCommitted(p *Peer, term, from uint64) {
	first, _ := p.Disk.FirstIndex()
	for i := max(from, first-1); i < uint64(len(c.committed)); i++ {
		want := c.committed[i]
		if want.by >= term {
			continue // maybe committed in term or later: nothing is required
		}
		if t, err := p.Disk.Term(i); err != nil || t != want.term {
			c.fail("leader completeness: leader %d of term %d lacks entry %d/%d, committed by term %d (it has term %d, err %v)",
				p.ID, term, want.term, i, want.by, t, err)
			return
		}
	}
}

// applied checks State Machine Safety for entries p just applied.
func (c *checker) applied(p *Peer, ents []raftpb.Entry) {
	for k, e := range ents {
		want := uint64(len(p.Applied) - len(ents) + k + 1)
		if e.Index != want {
			c.fail("node %d applied index %d, expected %d (applies must be in order)", p.ID, e.Index, want)
			return
		}
		if e.Index < uint64(len(c.appliedAt)) {
			if a := c.appliedAt[e.Index]; a.Term != e.Term || string(a.Data) != string(e.Data) {
				c.fail("state machine safety: node %d applied %s at index %d, another applied %s",
					p.ID, raft.DescribeEntry(e), e.Index, raft.DescribeEntry(a))
			}
			continue
		}
		c.appliedAt = append(c.appliedAt, e)
	}
}

// restarted checks that a node came back with no less than it had
// persisted.
func (c *checker) restarted(p *Peer) {
	st := p.Node.Status()
	if hs := c.hard[p.ID]; st.Term < hs.Term || st.Commit < hs.Commit {
		c.fail("node %d restarted at term %d commit %d, below persisted term %d commit %d",
			p.ID, st.Term, st.Commit, hs.Term, hs.Commit)
	}
}

// statusIfUp returns the node's status, or a zero status if it is down.
func (p *Peer) statusIfUp() raft.Status {
	if p.Down {
		return raft.Status{}
	}
	return p.Node.Status()
}
