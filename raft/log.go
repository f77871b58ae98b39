package raft

import (
	"errors"
	"fmt"

	"skiff/raft/raftpb"
)

// raftLog is Figure 2's log[] together with commitIndex and lastApplied. Its
// entries live in two places: a prefix the driver has persisted (storage)
// and a suffix not yet persisted (unstable).
//
// Invariants:
//  1. applied <= applying <= committed <= lastIndex().
//  2. Entries in (applied, applying] were handed out in Ready.CommittedEntries
//     and await Advance; entries in (applying, committed] have not been.
//  3. The log is contiguous: storage's entries up to unstable.offset-1,
//     then the unstable ones.
//  4. committed never decreases, and no entry at or below it is ever
//     truncated (Figure 2 State Machine Safety).
type raftLog struct {
	storage  Storage
	unstable unstable

	committed uint64 // commitIndex
	applying  uint64
	applied   uint64 // lastApplied
}

// newLog builds the log over what storage holds: everything in storage is
// stable, and the unstable buffer starts right after it.
func newLog(storage Storage) (*raftLog, error) {
	first, err := storage.FirstIndex()
	if err != nil {
		return nil, fmt.Errorf("raft: reading storage first index: %w", err)
	}
	last, err := storage.LastIndex()
	if err != nil {
		return nil, fmt.Errorf("raft: reading storage last index: %w", err)
	}
	snap, err := storage.Snapshot()
	if err != nil && !errors.Is(err, ErrSnapshotTemporarilyUnavailable) {
		return nil, fmt.Errorf("raft: reading storage snapshot: %w", err)
	}
	// The snapshot is committed and applied by definition, and so is
	// anything compacted away; entries kept below the snapshot (for slow
	// followers) are not handed out again.
	base := max(first-1, snap.Metadata.Index)
	l := &raftLog{storage: storage, unstable: unstable{offset: last + 1}}
	l.committed, l.applying, l.applied = base, base, base
	return l, nil
}

// firstIndex is the first index still held in the log.
func (l *raftLog) firstIndex() uint64 {
	if s := l.unstable.snapshot; s != nil {
		return s.Metadata.Index + 1
	}
	i, err := l.storage.FirstIndex()
	if err != nil {
		panic(fmt.Sprintf("raft: storage FirstIndex failed: %v", err))
	}
	return i
}

// lastIndex is the index of the last entry in the log.
func (l *raftLog) lastIndex() uint64 {
	if i, ok := l.unstable.lastIndex(); ok {
		return i
	}
	return l.stableLastIndex()
}

// stableLastIndex is the last index the driver has persisted that is still
// part of the log (a stored entry past unstable.offset has been replaced).
func (l *raftLog) stableLastIndex() uint64 {
	if s := l.unstable.snapshot; s != nil {
		return s.Metadata.Index // invariant 4 of unstable: storage's log is stale
	}
	i, err := l.storage.LastIndex()
	if err != nil {
		panic(fmt.Sprintf("raft: storage LastIndex failed: %v", err))
	}
	return min(i, l.unstable.offset-1)
}

// lastTerm is the term of the last entry (0 for an empty log).
func (l *raftLog) lastTerm() uint64 {
	t, err := l.term(l.lastIndex())
	if err != nil {
		panic(fmt.Sprintf("raft: no term for the last index %d: %v", l.lastIndex(), err))
	}
	return t
}

// term returns the term of entry i. Index 0 has term 0. It fails with
// ErrCompacted below the snapshot and ErrUnavailable past the end.
func (l *raftLog) term(i uint64) (uint64, error) {
	if t, ok := l.unstable.term(i); ok {
		return t, nil
	}
	if i >= l.unstable.offset {
		return 0, ErrUnavailable
	}
	if l.unstable.snapshot != nil {
		return 0, ErrCompacted // below a snapshot not yet written
	}
	t, err := l.storage.Term(i)
	if err != nil && i == 0 {
		return 0, nil
	}
	return t, err
}

// matchTerm reports whether the entry at i has the given term.
func (l *raftLog) matchTerm(i, term uint64) bool {
	t, err := l.term(i)
	return err == nil && t == term
}

// isUpToDate reports whether a log ending at (lastIndex, lastTerm) is at
// least as up-to-date as this one (§5.4.1: compare the last terms, then the
// lengths).
func (l *raftLog) isUpToDate(lastIndex, lastTerm uint64) bool {
	myTerm := l.lastTerm()
	return lastTerm > myTerm || (lastTerm == myTerm && lastIndex >= l.lastIndex())
}

// entries returns entries from lo to the end of the log, at most maxSize
// bytes (but at least one entry).
func (l *raftLog) entries(lo, maxSize uint64) ([]raftpb.Entry, error) {
	return l.slice(lo, l.lastIndex()+1, maxSize)
}

// slice returns entries [lo, hi), reading storage for the stable part and
// the unstable buffer for the rest, limited to maxSize bytes.
func (l *raftLog) slice(lo, hi, maxSize uint64) ([]raftpb.Entry, error) {
	if lo >= hi {
		return nil, nil
	}
	off := l.unstable.offset
	if lo >= off {
		return limitSize(l.unstable.slice(lo, hi), maxSize), nil
	}
	if l.unstable.snapshot != nil {
		return nil, ErrCompacted
	}
	stored, err := l.storage.Entries(lo, min(hi, off), maxSize)
	if err != nil {
		return nil, err
	}
	if hi <= off || uint64(len(stored)) < off-lo {
		return stored, nil // all asked for, or cut short by maxSize
	}
	out := make([]raftpb.Entry, 0, uint64(len(stored))+hi-off)
	out = append(append(out, stored...), l.unstable.slice(off, hi)...)
	return limitSize(out, maxSize), nil
}

// findConflict returns the index of the first entry in ents that is not in
// the log with the same term, or 0 if all of them are.
func (l *raftLog) findConflict(ents []raftpb.Entry) uint64 {
	for i := range ents {
		if !l.matchTerm(ents[i].Index, ents[i].Term) {
			return ents[i].Index
		}
	}
	return 0
}

// findConflictByTerm returns the largest index j <= index whose term is at
// most term, with that term. It is the heart of fast backtracking: every
// entry after j has a term greater than term, so a log whose entry at some
// index >= j has term term cannot match any of them.
func (l *raftLog) findConflictByTerm(index, term uint64) (uint64, uint64) {
	for ; index > 0; index-- {
		t, err := l.term(index)
		if err != nil {
			return index, 0 // below the snapshot: nothing more is known
		}
		if t <= term {
			return index, t
		}
	}
	return 0, 0
}

// maybeAppend applies the receiver side of AppendEntries (Figure 2, rules
// 2–5). It returns the last index this append verified and false if the
// log has no entry at prevLogIndex with prevLogTerm. It fails, changing
// nothing, if the entries contradict the committed prefix: a leader never
// sends that unless some node lost persisted state.
func (l *raftLog) maybeAppend(prevLogIndex, prevLogTerm, leaderCommit uint64, ents []raftpb.Entry) (uint64, bool, error) {
	if !l.matchTerm(prevLogIndex, prevLogTerm) {
		return 0, false, nil // rule 2
	}
	lastNew := prevLogIndex + uint64(len(ents))
	// Rule 3: drop an entry and all that follow only on a real conflict;
	// a stale or duplicate append that matches truncates nothing.
	if ci := l.findConflict(ents); ci != 0 {
		if ci <= l.committed {
			return 0, false, fmt.Errorf("raft: AppendEntries conflicts with committed entry %d (commit index %d); "+
				"the sender's log disagrees with a committed prefix, so a node has lost persisted state", ci, l.committed)
		}
		l.append(ents[ci-prevLogIndex-1:]) // rule 4
	}
	// Rule 5, tightened: commit no further than what this append verified.
	l.commitTo(min(leaderCommit, lastNew))
	return lastNew, true, nil
}

// append adds entries (truncating any conflicting suffix) and returns the
// new last index.
func (l *raftLog) append(ents []raftpb.Entry) uint64 {
	if len(ents) == 0 {
		return l.lastIndex()
	}
	if after := ents[0].Index - 1; after < l.committed {
		panic(fmt.Sprintf("raft: appending after %d would truncate committed entries (commit %d)", after, l.committed))
	}
	l.unstable.truncateAndAppend(ents)
	return l.lastIndex()
}

// appendAsLeader appends copies of ents after the last entry, stamped with
// term and consecutive indexes.
func (l *raftLog) appendAsLeader(term uint64, ents []raftpb.Entry) {
	u := &l.unstable
	next := l.lastIndex() + 1
	if len(u.entries) == 0 {
		u.offset = next
	}
	for _, e := range ents {
		e.Term, e.Index = term, next
		u.entries = append(u.entries, e)
		next++
	}
}

// restore replaces the log with a snapshot from the leader (thesis ch. 5):
// every entry is discarded, and the snapshot is committed by definition and
// applied by the driver when it handles the Ready that carries it.
func (l *raftLog) restore(s raftpb.Snapshot) {
	l.unstable.restore(s)
	l.committed = s.Metadata.Index
	l.applying = s.Metadata.Index
}

// snapshot returns the storage's latest snapshot, to send to a follower.
func (l *raftLog) snapshot() (raftpb.Snapshot, error) {
	if s := l.unstable.snapshot; s != nil {
		return *s, nil
	}
	return l.storage.Snapshot()
}

// commitTo raises commitIndex to i; it never lowers it.
func (l *raftLog) commitTo(i uint64) {
	if i <= l.committed {
		return
	}
	if i > l.lastIndex() {
		panic(fmt.Sprintf("raft: commit index %d is past the last index %d", i, l.lastIndex()))
	}
	l.committed = i
}

// hasNextCommittedEnts reports whether committed entries await handing out.
func (l *raftLog) hasNextCommittedEnts() bool { return l.committed > l.applying }

// nextCommittedEnts returns the committed entries not yet handed out and
// marks them as being applied.
func (l *raftLog) nextCommittedEnts() []raftpb.Entry {
	if !l.hasNextCommittedEnts() {
		return nil
	}
	ents, err := l.slice(l.applying+1, l.committed+1, noLimit)
	if err != nil {
		panic(fmt.Sprintf("raft: committed entries (%d, %d] unreadable: %v", l.applying, l.committed, err))
	}
	l.applying = l.committed
	return ents
}

// appliedTo records that the driver applied everything handed out.
func (l *raftLog) appliedTo(i uint64) {
	if i > l.committed || i < l.applied {
		panic(fmt.Sprintf("raft: applied index %d outside [%d, %d]", i, l.applied, l.committed))
	}
	l.applied = i
}

const noLimit = ^uint64(0)

func entsSize(ents []raftpb.Entry) uint64 {
	var n uint64
	for i := range ents {
		n += uint64(ents[i].Size())
	}
	return n
}
