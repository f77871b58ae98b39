package raft

import "skiff/raft/raftpb"

// unstable holds the entries raft has appended but the driver has not yet
// persisted. They are handed to the driver in Ready.Entries and leave this
// buffer when Advance reports them written (stableTo). A snapshot received
// from the leader waits here the same way (Ready.Snapshot) until written.
//
// Invariants:
//  1. entries[i].Index == offset + i.
//  2. handedOut <= len(entries): entries[:handedOut] went out in a Ready and
//     await Advance; entries[handedOut:] have not been handed out.
//  3. A backing array whose elements were handed out (in a Ready or inside a
//     message) is never written again; truncation copies.
//  4. If snapshot is set, offset == snapshot's index + 1: the log restarts
//     after it, and nothing in storage before offset is part of the log.
type unstable struct {
	offset    uint64
	entries   []raftpb.Entry
	handedOut int

	snapshot          *raftpb.Snapshot
	snapshotHandedOut bool
}

// lastIndex returns the index of the last unstable entry, or of the
// pending snapshot, if any.
func (u *unstable) lastIndex() (uint64, bool) {
	if len(u.entries) == 0 {
		if u.snapshot != nil {
			return u.snapshot.Metadata.Index, true
		}
		return 0, false
	}
	return u.offset + uint64(len(u.entries)) - 1, true
}

// term returns the term of entry i if it is unstable or is the pending
// snapshot's last entry.
func (u *unstable) term(i uint64) (uint64, bool) {
	if i < u.offset || i >= u.offset+uint64(len(u.entries)) {
		if u.snapshot != nil && i == u.snapshot.Metadata.Index {
			return u.snapshot.Metadata.Term, true
		}
		return 0, false
	}
	return u.entries[i-u.offset].Term, true
}

// restore replaces everything with a snapshot received from the leader.
func (u *unstable) restore(s raftpb.Snapshot) {
	u.offset = s.Metadata.Index + 1
	u.entries, u.handedOut = nil, 0
	u.snapshot, u.snapshotHandedOut = &s, false
}

// stableSnapTo forgets the pending snapshot once the driver has written it.
func (u *unstable) stableSnapTo(i uint64) {
	if u.snapshot != nil && u.snapshot.Metadata.Index == i {
		u.snapshot, u.snapshotHandedOut = nil, false
	}
}

// slice returns entries [lo, hi), which must all be unstable. The result's
// capacity ends at hi so nobody can append into this buffer through it.
func (u *unstable) slice(lo, hi uint64) []raftpb.Entry {
	return u.entries[lo-u.offset : hi-u.offset : hi-u.offset]
}

// notHandedOut returns the entries not yet given to the driver.
func (u *unstable) notHandedOut() []raftpb.Entry {
	n := len(u.entries)
	return u.entries[u.handedOut:n:n]
}

// markHandedOut records that every current entry went out in a Ready.
func (u *unstable) markHandedOut() { u.handedOut = len(u.entries) }

// stableTo drops entries up to i once the driver has persisted them. The
// term check defends against an entry that was replaced after it was handed
// out (the ABA case): then the write that finished is not the current entry.
func (u *unstable) stableTo(i, term uint64) {
	t, ok := u.term(i)
	if !ok || t != term {
		return
	}
	n := int(i + 1 - u.offset)
	u.entries = u.entries[n:]
	u.handedOut = max(u.handedOut-n, 0)
	u.offset = i + 1
}

// truncateAndAppend appends ents, first dropping any unstable entries at or
// after ents[0].Index. Entries are copied: the caller's slice may belong to
// another node's log (in-memory transports pass messages by reference).
func (u *unstable) truncateAndAppend(ents []raftpb.Entry) {
	from := ents[0].Index
	switch {
	case from == u.offset+uint64(len(u.entries)):
		u.entries = append(u.entries, ents...)
	case from <= u.offset:
		// Replace everything; the driver's storage overwrites entries
		// from `from` on when it persists these (Storage.Append).
		u.offset = from
		u.entries = append(make([]raftpb.Entry, 0, len(ents)), ents...)
		u.handedOut = 0
	default:
		keep := int(from - u.offset)
		fresh := make([]raftpb.Entry, keep, keep+len(ents))
		copy(fresh, u.entries[:keep])
		u.entries = append(fresh, ents...)
		u.handedOut = min(u.handedOut, keep)
	}
}
