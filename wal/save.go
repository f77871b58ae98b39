package wal

import (
	"fmt"
	"path/filepath"

	"skiff/raft/raftpb"
)

// MustSync reports whether persisting state and n entries needs an fsync
// before the server may act on them: new entries, or a new term or vote
// (Figure 2: currentTerm, votedFor and log[] are persistent state). A
// change of commit index alone does not: a restarted member learns the
// commit index again from the leader.
func MustSync(prev, state raftpb.HardState, n int) bool {
	if n > 0 {
		return true
	}
	return !state.IsEmpty() && (state.Term != prev.Term || state.Vote != prev.Vote)
}

// Save appends entries and then the hard state (skipped when empty) as one
// write, and fsyncs once if MustSync says so: call it once per raft Ready,
// before sending messages or acknowledging anything. If it fails with
// ErrFailed, the WAL is unusable and the member must stop; ErrTooLarge and
// ErrEntryGap refuse the batch without writing anything.
func (w *WAL) Save(state raftpb.HardState, ents []raftpb.Entry) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.writable(); err != nil {
		return err
	}
	if state.IsEmpty() && len(ents) == 0 {
		return nil
	}
	if err := w.checkEntries(ents); err != nil {
		return err
	}
	sync := MustSync(w.state, state, len(ents))
	w.enc.buf, w.enc.fence = w.enc.buf[:0], w.synced
	for i := range ents {
		start := w.enc.begin()
		w.enc.buf = ents[i].MarshalAppend(w.enc.buf)
		w.enc.finish(start, entryType)
	}
	if !state.IsEmpty() {
		start := w.enc.begin()
		w.enc.buf = state.MarshalAppend(w.enc.buf)
		w.enc.finish(start, stateType)
		w.state = state
	}
	if len(ents) > 0 {
		w.lastIndex = ents[len(ents)-1].Index
	}
	return w.writeAndSync(sync)
}

// checkEntries refuses entries that could not be read back: too large, or
// leaving a gap. The first entry may be at most one past the last written
// (lower means a new leader overwrote a suffix, §5.3; after installing a
// snapshot, call SaveSnapshot first), and each must follow the one before.
func (w *WAL) checkEntries(ents []raftpb.Entry) error {
	for i := range ents {
		if size := ents[i].Size(); size > MaxRecordSize {
			return fmt.Errorf("%w: entry %d encodes to %d bytes, over %d", ErrTooLarge, ents[i].Index, size, MaxRecordSize)
		}
		if i > 0 && ents[i].Index != ents[i-1].Index+1 {
			return fmt.Errorf("%w: entry %d follows entry %d in one batch", ErrEntryGap, ents[i].Index, ents[i-1].Index)
		}
	}
	if len(ents) > 0 && (ents[0].Index == 0 || ents[0].Index > w.lastIndex+1) {
		return fmt.Errorf("%w: the batch starts at index %d, the log ends at %d", ErrEntryGap, ents[0].Index, w.lastIndex)
	}
	return nil
}

// SaveSnapshot appends a snapshot marker and fsyncs. Call it after the
// snapshot file is durable, and before ReleaseLockTo.
func (w *WAL) SaveSnapshot(s Snapshot) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.writable(); err != nil {
		return err
	}
	w.enc.buf, w.enc.fence = w.enc.buf[:0], w.synced
	w.enc.add(snapshotType, s.marshal())
	w.lastIndex = max(w.lastIndex, s.Index)
	return w.writeAndSync(true)
}

func (w *WAL) writable() error {
	switch {
	case w.closed:
		return ErrClosed
	case w.err != nil:
		return w.err
	case w.readOnly:
		return ErrReadOnly
	case !w.ready:
		return ErrNotRead
	}
	return nil
}

// writeAndSync writes w.enc.buf at the end of the tail, then cuts the
// segment if it is full (which fsyncs) or fsyncs if sync is set.
func (w *WAL) writeAndSync(sync bool) error {
	if _, err := w.tail.WriteAt(w.enc.buf, w.tailOff); err != nil {
		return w.fail(fmt.Errorf("writing %s at offset %d: %w", w.tailName(), w.tailOff, err))
	}
	w.tailOff += int64(len(w.enc.buf))
	w.synced = false
	if w.tailOff >= w.opts.SegmentSize {
		return w.cut()
	}
	if sync {
		if err := w.tail.Sync(); err != nil {
			return w.fail(fmt.Errorf("fsync %s: %w", w.tailName(), err))
		}
		w.synced = true
	}
	return nil
}

// fail makes the WAL refuse all further writes (invariant 3) and returns
// the error to report.
func (w *WAL) fail(cause error) error {
	w.err = fmt.Errorf("%w: %w; the WAL refuses further writes: stop the member, which recovers from the disk on restart", ErrFailed, cause)
	w.logger.Error("wal: write failed", "err", cause)
	return w.err
}

// cut ends the tail segment and starts the next one:
//  1. truncate the tail to its last record and fsync it (invariant 1);
//  2. take a prepared, preallocated temporary file;
//  3. write the segment's first records (invariant 2) into it, fsync it,
//     rename it to <seq+1>-<lastIndex+1>.wal and fsync the directory.
//
// A crash before the rename is durable leaves the old tail as the last
// segment, complete; after it, the new segment is whole.
func (w *WAL) cut() error {
	if err := w.tail.Truncate(w.tailOff); err != nil {
		return w.fail(fmt.Errorf("truncating %s to %d: %w", w.tailName(), w.tailOff, err))
	}
	if err := w.tail.Sync(); err != nil {
		return w.fail(fmt.Errorf("fsync %s: %w", w.tailName(), err))
	}
	w.synced = true // so the new segment's first frame carries the fence
	f, tmp, err := w.pipe.take()
	if err != nil {
		return w.fail(err)
	}
	next := segment{seq: w.segs[len(w.segs)-1].seq + 1, index: w.lastIndex + 1}
	w.encodeSegmentStart()
	if err := w.fillSegment(f, tmp, next); err != nil {
		f.Close()
		return w.fail(err)
	}
	if err := w.tail.Close(); err != nil {
		w.logger.Warn("wal: closing a finished segment", "file", w.tailName(), "err", err)
	}
	w.tail, w.tailOff = f, int64(len(w.enc.buf))
	w.segs = append(w.segs, next)
	w.logger.Info("wal: started a new segment", "file", next.name())
	return nil
}

func (w *WAL) segPath(i int) string { return filepath.Join(w.dir, w.segs[i].name()) }

func (w *WAL) tailName() string { return w.segPath(len(w.segs) - 1) }
