package raft

import (
	"errors"
	"fmt"
	"sync"

	"skiff/raft/raftpb"
)

// ErrCompacted is returned by Storage when an index lies below the first
// index still held: the entries were folded into a snapshot.
var ErrCompacted = errors.New("raft: requested index is compacted away")

// ErrUnavailable is returned by Storage when an index lies past the last
// index held.
var ErrUnavailable = errors.New("raft: requested entry is not available yet")

// ErrSnapOutOfDate is returned by MemoryStorage.ApplySnapshot and
// CreateSnapshot for a snapshot no newer than the one already held.
var ErrSnapOutOfDate = errors.New("raft: snapshot is not newer than the one held")

// ErrSnapshotTemporarilyUnavailable may be returned by Storage.Snapshot
// while the driver is still writing one; the leader then tries again later.
var ErrSnapshotTemporarilyUnavailable = errors.New("raft: snapshot is temporarily unavailable")

// Storage is raft's read-only view of what the driver has persisted. The
// driver writes it (from Ready.HardState, Ready.Entries and, next issue,
// Ready.Snapshot) before calling Advance; raft only reads it.
//
// The log it holds is a contiguous run of entries [FirstIndex, LastIndex].
// Everything before FirstIndex is covered by the snapshot, whose last index
// is FirstIndex-1; Term(FirstIndex-1) must still answer (it is the snapshot's
// term), because AppendEntries needs prevLogTerm for the first entry.
//
// Methods may be called from raft while the driver is not writing; an
// implementation shared with another goroutine must lock.
type Storage interface {
	// InitialState returns the persisted hard state and the configuration
	// in force at the snapshot (its Metadata.ConfState), or the bootstrap
	// configuration without one. raft replays the configuration changes
	// in the log after the snapshot up to Config.Applied itself.
	InitialState() (raftpb.HardState, raftpb.ConfState, error)
	// Entries returns entries [lo, hi), at least one if lo < hi, and no
	// more than maxSize bytes beyond the first. The result must not be
	// modified by the caller and must stay valid after later writes.
	Entries(lo, hi, maxSize uint64) ([]raftpb.Entry, error)
	// Term returns the term of entry i, for i in [FirstIndex-1, LastIndex].
	Term(i uint64) (uint64, error)
	// FirstIndex is the index of the first entry held (snapshot index + 1).
	FirstIndex() (uint64, error)
	// LastIndex is the index of the last entry held (the snapshot's index
	// when no entries follow it).
	LastIndex() (uint64, error)
	// Snapshot returns the most recent snapshot (empty if none). The
	// leader sends it to a follower that needs compacted entries; it may
	// fail with ErrSnapshotTemporarilyUnavailable, and raft retries later.
	Snapshot() (raftpb.Snapshot, error)
}

// MemoryStorage is a Storage kept in memory: the one used by tests, the
// simulator and the benchmark, and a cache a disk-backed driver may keep in
// front of its WAL. It is safe for concurrent use.
//
// Invariants:
//  1. ents[0] is a placeholder whose Index and Term are those of the last
//     entry covered by the snapshot (0 and 0 without one).
//  2. ents[i].Index == ents[0].Index + i.
//  3. A slice handed out by Entries is never written again: truncation
//     copies the kept prefix to a new array.
type MemoryStorage struct {
	mu        sync.Mutex
	hardState raftpb.HardState
	confState raftpb.ConfState
	snapshot  raftpb.Snapshot
	ents      []raftpb.Entry
}

// NewMemoryStorage returns an empty storage.
func NewMemoryStorage() *MemoryStorage {
	return &MemoryStorage{ents: make([]raftpb.Entry, 1, 64)}
}

// Bootstrap records the configuration of a brand-new cluster on a fresh
// storage. Every member of a new cluster is started with the same voters.
func (ms *MemoryStorage) Bootstrap(cs raftpb.ConfState) error {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if len(ms.ents) > 1 || !ms.hardState.IsEmpty() || !ms.snapshot.IsEmpty() {
		return errors.New("raft: Bootstrap needs a fresh storage, but this one already holds state; restart from it instead")
	}
	if len(cs.Voters) == 0 {
		return errors.New("raft: Bootstrap needs at least one voter")
	}
	ms.confState = cloneConfState(cs)
	return nil
}

// InitialState implements Storage.
func (ms *MemoryStorage) InitialState() (raftpb.HardState, raftpb.ConfState, error) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return ms.hardState, cloneConfState(ms.confState), nil
}

// SetHardState saves the hard state (Ready.HardState).
func (ms *MemoryStorage) SetHardState(hs raftpb.HardState) error {
	ms.mu.Lock()
	ms.hardState = hs
	ms.mu.Unlock()
	return nil
}

// Entries implements Storage.
func (ms *MemoryStorage) Entries(lo, hi, maxSize uint64) ([]raftpb.Entry, error) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	offset := ms.ents[0].Index
	if lo <= offset {
		return nil, ErrCompacted
	}
	if hi > ms.lastIndex()+1 {
		return nil, fmt.Errorf("%w: entries [%d, %d) asked, last index is %d", ErrUnavailable, lo, hi, ms.lastIndex())
	}
	if lo >= hi {
		return nil, nil
	}
	ents := ms.ents[lo-offset : hi-offset : hi-offset]
	return limitSize(ents, maxSize), nil
}

// Term implements Storage.
func (ms *MemoryStorage) Term(i uint64) (uint64, error) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	offset := ms.ents[0].Index
	if i < offset {
		return 0, ErrCompacted
	}
	if i-offset >= uint64(len(ms.ents)) {
		return 0, ErrUnavailable
	}
	return ms.ents[i-offset].Term, nil
}

// FirstIndex implements Storage.
func (ms *MemoryStorage) FirstIndex() (uint64, error) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return ms.ents[0].Index + 1, nil
}

// LastIndex implements Storage.
func (ms *MemoryStorage) LastIndex() (uint64, error) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return ms.lastIndex(), nil
}

func (ms *MemoryStorage) lastIndex() uint64 {
	return ms.ents[0].Index + uint64(len(ms.ents)) - 1
}

// Snapshot implements Storage.
func (ms *MemoryStorage) Snapshot() (raftpb.Snapshot, error) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return ms.snapshot, nil
}

// ApplySnapshot replaces the storage's contents with snap
// (Ready.Snapshot): the log restarts right after the snapshot, and the
// configuration is the snapshot's. It fails with ErrSnapOutOfDate for a
// snapshot no newer than the one held.
func (ms *MemoryStorage) ApplySnapshot(snap raftpb.Snapshot) error {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if snap.Metadata.Index <= ms.snapshot.Metadata.Index {
		return fmt.Errorf("%w: applying snapshot at %d, holding one at %d",
			ErrSnapOutOfDate, snap.Metadata.Index, ms.snapshot.Metadata.Index)
	}
	ms.snapshot = snap
	ms.snapshot.Metadata.ConfState = cloneConfState(snap.Metadata.ConfState)
	ms.ents = []raftpb.Entry{{Index: snap.Metadata.Index, Term: snap.Metadata.Term}}
	ms.confState = cloneConfState(snap.Metadata.ConfState)
	return nil
}

// CreateSnapshot records a snapshot of the state machine at index i (which
// the driver has applied), with cs the configuration in force at i (what
// Node.ApplyConfChange last returned) and data the state machine's state.
// The log is left alone; Compact drops the entries the snapshot covers.
func (ms *MemoryStorage) CreateSnapshot(i uint64, cs *raftpb.ConfState, data []byte) (raftpb.Snapshot, error) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if i <= ms.snapshot.Metadata.Index {
		return raftpb.Snapshot{}, fmt.Errorf("%w: creating a snapshot at %d, holding one at %d",
			ErrSnapOutOfDate, i, ms.snapshot.Metadata.Index)
	}
	if i > ms.lastIndex() {
		return raftpb.Snapshot{}, fmt.Errorf("raft: CreateSnapshot at %d, past the last index %d", i, ms.lastIndex())
	}
	if cs == nil {
		return raftpb.Snapshot{}, errors.New("raft: CreateSnapshot needs the configuration at the snapshot's index (the last Node.ApplyConfChange result)")
	}
	offset := ms.ents[0].Index
	if i < offset {
		return raftpb.Snapshot{}, ErrCompacted
	}
	ms.snapshot = raftpb.Snapshot{Data: data, Metadata: raftpb.SnapshotMetadata{
		Index: i, Term: ms.ents[i-offset].Term, ConfState: cloneConfState(*cs)}}
	ms.confState = cloneConfState(*cs)
	return ms.snapshot, nil
}

// Compact drops the entries up to and including i, which a snapshot must
// already cover (CreateSnapshot first). A driver usually keeps some entries
// below its snapshot, so that a follower a little behind catches up from
// the log instead of receiving the whole snapshot (thesis ch. 5).
func (ms *MemoryStorage) Compact(i uint64) error {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	offset := ms.ents[0].Index
	switch {
	case i <= offset:
		return ErrCompacted
	case i > ms.snapshot.Metadata.Index:
		return fmt.Errorf("raft: Compact(%d) is past the snapshot at %d; call CreateSnapshot first", i, ms.snapshot.Metadata.Index)
	}
	kept := make([]raftpb.Entry, 1, 1+ms.lastIndex()-i)
	kept[0] = raftpb.Entry{Index: i, Term: ms.ents[i-offset].Term}
	ms.ents = append(kept, ms.ents[i-offset+1:]...)
	return nil
}

// Append saves entries (Ready.Entries). Entries must be contiguous; an entry
// at an index already held replaces it and everything after it (that is how
// a follower's conflicting suffix is dropped, Figure 2 AppendEntries rule 3).
func (ms *MemoryStorage) Append(ents []raftpb.Entry) error {
	if len(ents) == 0 {
		return nil
	}
	ms.mu.Lock()
	defer ms.mu.Unlock()
	first := ms.ents[0].Index + 1
	last := ents[len(ents)-1].Index
	if last < first {
		return nil // all of them are already covered by the snapshot
	}
	if first > ents[0].Index {
		ents = ents[first-ents[0].Index:]
	}
	offset := ents[0].Index - ms.ents[0].Index
	switch {
	case offset > uint64(len(ms.ents)):
		return fmt.Errorf("raft: MemoryStorage.Append: gap: last index is %d, appending at %d",
			ms.lastIndex(), ents[0].Index)
	case offset == uint64(len(ms.ents)):
		ms.ents = append(ms.ents, ents...)
	default:
		// Invariant 3: never overwrite entries a caller may still hold.
		kept := make([]raftpb.Entry, offset, offset+uint64(len(ents)))
		copy(kept, ms.ents[:offset])
		ms.ents = append(kept, ents...)
	}
	return nil
}

// limitSize returns the longest prefix of ents whose encoded size is at most
// maxSize, and never fewer than one entry.
func limitSize(ents []raftpb.Entry, maxSize uint64) []raftpb.Entry {
	if len(ents) <= 1 {
		return ents
	}
	size := uint64(ents[0].Size())
	for i := 1; i < len(ents); i++ {
		size += uint64(ents[i].Size())
		if size > maxSize {
			return ents[:i]
		}
	}
	return ents
}

func cloneConfState(cs raftpb.ConfState) raftpb.ConfState {
	return raftpb.ConfState{
		Voters:   append([]uint64(nil), cs.Voters...),
		Learners: append([]uint64(nil), cs.Learners...),
	}
}
