package wal

import (
	"bytes"
	"fmt"
	"slices"

	"skiff/raft/raftpb"
)

// Snapshot is a snapshot marker: the index and term of the last entry that
// a snapshot file covers. The server writes one with SaveSnapshot after the
// snapshot file is durable, and opens the WAL at it after a restart.
type Snapshot struct {
	Index uint64
	Term  uint64
}

func (s Snapshot) marshal() []byte { return marshalPair(s.Index, s.Term) }

func (s *Snapshot) unmarshal(b []byte) (err error) {
	s.Index, s.Term, err = unmarshalPair(b, "snapshot marker (index, term)")
	return err
}

// replay rebuilds the log's state from records, in the order they were
// written.
//
// Invariants after each record:
//  1. ents[i].Index == start.Index+1+i: the entries after the snapshot,
//     with no gap;
//  2. an entry at index k replaced every entry at k or above (the leader
//     made the log truncate there, §5.3);
//  3. state is the last hard state written.
type replay struct {
	start       Snapshot // the marker to read from
	markersOnly bool     // collect markers only (ValidSnapshots)

	metadata  []byte
	haveMeta  bool
	state     raftpb.HardState
	ents      []raftpb.Entry
	found     bool       // the marker for start was read
	markers   []Snapshot // every marker read, in order
	lastIndex uint64     // the highest index the log has reached
}

// reserve sizes ents for the entry records in the segments bufs, so that
// a long replay does not spend its time copying ents as it grows.
func (r *replay) reserve(bufs [][]byte) {
	if r.markersOnly {
		return
	}
	n := 0
	for _, buf := range bufs {
		n += countEntryFrames(buf)
	}
	r.ents = slices.Grow(r.ents, n)
}

// apply adds one record to the state. An error names what is inconsistent;
// the caller adds the file and offset.
func (r *replay) apply(rec record) error {
	switch rec.typ {
	case metadataType:
		if r.haveMeta && !bytes.Equal(r.metadata, rec.data) {
			return ErrMetadataConflict
		}
		r.metadata, r.haveMeta = rec.data, true
	case entryType:
		if r.markersOnly {
			return nil // the CRC was checked; the entry is not needed
		}
		return r.applyEntry(rec.data)
	case stateType:
		var hs raftpb.HardState
		if err := hs.Unmarshal(rec.data); err != nil {
			return err
		}
		r.state = hs
	case snapshotType:
		return r.applyMarker(rec.data)
	case crcType:
		// checked by decodeFrame
	}
	return nil
}

func (r *replay) applyEntry(data []byte) error {
	var e raftpb.Entry
	if err := e.Unmarshal(data); err != nil {
		return err
	}
	r.lastIndex = e.Index
	if e.Index <= r.start.Index {
		// The entry is covered by the snapshot, but writing it replaced
		// every entry after it, including any read so far (invariant 2).
		r.ents = r.ents[:0]
		return nil
	}
	up := e.Index - r.start.Index - 1 // e's position in ents
	if up > uint64(len(r.ents)) {
		return fmt.Errorf("entry %d follows entry %d: %d entries are missing",
			e.Index, r.start.Index+uint64(len(r.ents)), up-uint64(len(r.ents)))
	}
	r.ents = append(r.ents[:up], e)
	return nil
}

func (r *replay) applyMarker(data []byte) error {
	var s Snapshot
	if err := s.unmarshal(data); err != nil {
		return err
	}
	if s.Index == r.start.Index {
		if s.Term != r.start.Term {
			return fmt.Errorf("%w: the WAL has term %d at index %d, the snapshot has term %d",
				ErrSnapshotMismatch, s.Term, s.Index, r.start.Term)
		}
		r.found = true
	}
	r.markers = append(r.markers, s)
	r.lastIndex = max(r.lastIndex, s.Index)
	return nil
}
