package wal

import (
	"errors"
	"fmt"
	"io"

	"skiff/raft/raftpb"
	"skiff/wal/vfs"
)

// Open opens the WAL in dir for a member that restarts from the snapshot
// marker snap (the zero Snapshot when the member has no snapshot). It takes
// the directory's lock; call ReadAll next, then Save.
func Open(dir string, snap Snapshot, opts Options) (*WAL, error) {
	if !Exist(dir, opts) {
		return nil, fmt.Errorf("%w in %s", ErrNotFound, dir)
	}
	w, err := newWAL(dir, opts, false)
	if err != nil {
		return nil, err
	}
	if err := w.openSegments(snap); err != nil {
		w.closeFiles()
		return nil, err
	}
	return w, nil
}

// OpenForRead opens the WAL in dir for reading only (inspection tools,
// backups): it takes no lock, repairs nothing and refuses writes. A torn
// tail is reported by ReadAll as the end of the log.
func OpenForRead(dir string, snap Snapshot, opts Options) (*WAL, error) {
	w, err := newWAL(dir, opts, true)
	if err != nil {
		return nil, err
	}
	if err := w.openSegments(snap); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *WAL) openSegments(snap Snapshot) error {
	segs, err := listSegments(w.fs, w.dir)
	if err != nil {
		return fmt.Errorf("wal: listing %s: %w", w.dir, err)
	}
	if len(segs) == 0 {
		return fmt.Errorf("%w in %s", ErrNotFound, w.dir)
	}
	i, ok := searchIndex(segs, snap.Index)
	if !ok {
		return fmt.Errorf("%w: the oldest segment %s starts after snapshot index %d (older segments were released); load a newer snapshot",
			ErrSnapshotNotFound, segs[0].name(), snap.Index)
	}
	w.segs, w.released, w.start = segs, i, snap
	return nil
}

// ReadAll reads the log from the snapshot given to Open: the metadata, the
// last hard state, and the entries after the snapshot (an entry replaces
// any earlier one at its index or above). After ReadAll, a WAL opened with
// Open is ready for Save.
//
// A torn write at the end of the last segment, which a crash can leave, is
// cut off: the cut bytes are kept in <segment>.broken and a warning is
// logged. Any other damage fails with a *CorruptError (ErrCorrupt) naming
// the file and offset, and the member must not start.
//
// The returned entries' Data may alias ReadAll's read buffers; they are not
// reused.
func (w *WAL) ReadAll() (metadata []byte, state raftpb.HardState, ents []raftpb.Entry, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil, state, nil, ErrClosed
	}
	if w.ready || w.segs == nil {
		return nil, state, nil, errors.New("wal: ReadAll may be called once, after Open")
	}
	r := &replay{start: w.start}
	dirty, err := w.readSegments(r)
	if err != nil {
		return nil, state, nil, err
	}
	if !r.haveMeta {
		return nil, state, nil, &CorruptError{File: w.dir, Reason: "no metadata record"}
	}
	if w.start.Index != 0 && !r.found {
		return nil, state, nil, fmt.Errorf("%w: no marker for index %d term %d in %s", ErrSnapshotNotFound, w.start.Index, w.start.Term, w.dir)
	}
	w.metadata, w.state, w.lastIndex = r.metadata, r.state, max(r.lastIndex, w.start.Index)
	if !w.readOnly {
		if err := w.openTail(dirty); err != nil {
			return nil, state, nil, err
		}
		w.ready, w.synced = true, true // openTail fsynced the tail
		w.pipe = newPipeline(w.fs, w.dir, w.opts.SegmentSize, w.opts.PrepareInline)
	}
	return r.metadata, r.state, r.ents, nil
}

// readSegments replays every segment from w.released on into r; in the last
// segment it cuts a torn tail (unless read-only) and records where the
// tail's valid records end in w.tailOff. dirty reports that something other
// than zeros follows them.
func (w *WAL) readSegments(r *replay) (dirty bool, err error) {
	bufs, err := w.readFiles()
	if err != nil {
		return false, err
	}
	r.reserve(bufs)
	var c chain
	for j, buf := range bufs {
		name := w.segPath(w.released + j)
		last := j == len(bufs)-1
		end, err := w.scanInto(r, name, buf, &c, last)
		var torn *tornError
		if errors.As(err, &torn) {
			w.logger.Warn("wal: the log ends in a torn write, which a crash leaves; cutting it off",
				"file", name, "offset", torn.off, "reason", torn.reason)
			if !w.readOnly {
				err = w.repair(name, buf, torn.off)
			} else {
				err = nil
			}
		}
		if err != nil {
			return false, err
		}
		w.enc.crc, w.tailOff = c.crc, end
		dirty = torn == nil && !allZero(buf[end:])
	}
	return dirty, nil
}

// readFiles reads the segments from w.released on; the last one without
// its trailing zeros.
func (w *WAL) readFiles() ([][]byte, error) {
	var bufs [][]byte
	for i := w.released; i < len(w.segs); i++ {
		read := vfs.ReadFile
		if i == len(w.segs)-1 {
			read = readTrimmed
		}
		buf, err := read(w.fs, w.segPath(i))
		if err != nil {
			return nil, fmt.Errorf("wal: %w", err)
		}
		bufs = append(bufs, buf)
	}
	return bufs, nil
}

// scanInto replays one segment into r. Errors that the records' content
// causes become CorruptErrors naming the file and offset.
func (w *WAL) scanInto(r *replay, name string, buf []byte, c *chain, last bool) (int64, error) {
	return scanSegment(name, buf, c, last, func(rec record) error {
		err := r.apply(rec)
		if err == nil {
			return nil
		}
		if errors.Is(err, ErrSnapshotMismatch) || errors.Is(err, ErrMetadataConflict) {
			return fmt.Errorf("wal: %s at offset %d: %w", name, rec.off, err)
		}
		return &CorruptError{File: name, Offset: rec.off, Reason: err.Error(), Err: err}
	})
}

// readTrimmed reads a file but leaves out the run of zeros that ends it
// (to a chunk's precision), so that reading the tail segment, preallocated
// and mostly zeros while the member runs, does not allocate its full size.
// It finds the end of the data by reading chunks backwards from the end.
// For the decoder the difference does not matter: a record that runs into
// the left-out zeros runs past the end instead, and both are a torn tail.
func readTrimmed(fsys vfs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil {
		return nil, err
	}
	const chunk = 1 << 20
	scratch := make([]byte, min(size, chunk))
	end := size
	for end > 0 {
		start := (end - 1) / chunk * chunk
		if err := readFull(f, scratch[:end-start], start); err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		if !allZero(scratch[:end-start]) {
			break
		}
		end = start
	}
	buf := make([]byte, end)
	if err := readFull(f, buf, 0); err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return buf, nil
}

func readFull(f vfs.File, b []byte, off int64) error {
	n, err := f.ReadAt(b, off)
	if err != nil && !(errors.Is(err, io.EOF) && n == len(b)) {
		return fmt.Errorf("at offset %d: %w", off, err)
	}
	return nil
}
