package wal

import (
	"fmt"
	"path/filepath"
)

// ReleaseLockTo marks as no longer needed every segment that holds only
// entries before index (the index of a snapshot whose marker was saved),
// and removes the oldest of them while more than Options.MaxSegments
// segments remain (0 keeps all). The segment holding index is always
// kept, so the WAL can still be opened at that snapshot.
//
// The name is etcd's: there each segment carries a lock.
func (w *WAL) ReleaseLockTo(index uint64) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.writable(); err != nil {
		return err
	}
	// Open at a snapshot at index reads from segs[i] on (see searchIndex).
	if i, ok := searchIndex(w.segs, index); ok && i > w.released {
		w.released = i
	}
	return w.purge()
}

// purge removes released segments, oldest first, while more than
// MaxSegments remain.
func (w *WAL) purge() error {
	removed := 0
	for w.opts.MaxSegments > 0 && w.released > 0 && len(w.segs) > w.opts.MaxSegments {
		name := w.segPath(0)
		if err := w.fs.Remove(name); err != nil {
			return fmt.Errorf("wal: removing released segment %s: %w", name, err)
		}
		w.logger.Info("wal: removed a released segment", "file", filepath.Base(name))
		w.segs = w.segs[1:]
		w.released--
		removed++
	}
	if removed > 0 {
		if err := w.fs.SyncDir(w.dir); err != nil {
			return w.fail(fmt.Errorf("fsync directory %s: %w", w.dir, err))
		}
	}
	return nil
}

// Close fsyncs the tail (a Save that changed only the commit index did not)
// and closes the WAL, releasing its lock. After a failure (ErrFailed) it
// only closes the files.
func (w *WAL) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	var err error
	if w.tail != nil && w.err == nil && w.ready {
		if serr := w.tail.Sync(); serr != nil {
			err = w.fail(fmt.Errorf("fsync %s: %w", w.tailName(), serr))
		}
	}
	w.closeFiles()
	w.closed = true
	return err
}

// CloseWithoutSync closes the WAL and releases its lock without the final
// fsync that Close does: what is durable is what the last fsyncing Save
// made durable, as after a crash. It is for tests that kill a member
// (with vfs.MemFS, the unsynced writes are then lost at CrashImage).
func (w *WAL) CloseWithoutSync() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	w.closeFiles()
	w.closed = true
	return nil
}

// closeFiles releases everything the WAL holds open.
func (w *WAL) closeFiles() {
	if w.pipe != nil {
		w.pipe.close()
		w.pipe = nil
	}
	if w.tail != nil {
		w.tail.Close()
		w.tail = nil
	}
	if w.lock != nil {
		w.lock.Close()
		w.lock = nil
	}
}

// ValidSnapshots returns the snapshot markers in the WAL in dir, oldest
// first, read from its oldest segment on. The server loads the newest
// snapshot file that has a marker here: a snapshot file written just before
// a crash, whose marker never reached the WAL, must not be used.
func ValidSnapshots(dir string, opts Options) ([]Snapshot, error) {
	w, err := newWAL(dir, opts, true)
	if err != nil {
		return nil, err
	}
	if w.segs, err = listSegments(w.fs, dir); err != nil {
		return nil, fmt.Errorf("wal: listing %s: %w", dir, err)
	}
	if len(w.segs) == 0 {
		return nil, fmt.Errorf("%w in %s", ErrNotFound, dir)
	}
	r := &replay{markersOnly: true}
	if _, err := w.readSegments(r); err != nil {
		return nil, err
	}
	return r.markers, nil
}
