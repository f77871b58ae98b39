package wal

import (
	"fmt"

	"skiff/wal/vfs"
)

// repair cuts the last segment (name, whose content is buf) back to off,
// where a torn write begins. The bytes cut off go to name.broken first, so
// nothing is lost that an operator might want to look at.
func (w *WAL) repair(name string, buf []byte, off int64) error {
	end := int64(len(buf))
	for end > off && buf[end-1] == 0 {
		end--
	}
	broken := name + ".broken"
	if err := vfs.WriteFileAtomic(w.fs, w.dir, broken, buf[off:end]); err != nil {
		return fmt.Errorf("wal: saving the torn tail of %s to %s: %w", name, broken, err)
	}
	f, err := w.fs.OpenWrite(name)
	if err != nil {
		return fmt.Errorf("wal: repairing %s: %w", name, err)
	}
	defer f.Close()
	if err := f.Truncate(off); err != nil {
		return fmt.Errorf("wal: repairing %s: truncating to %d: %w", name, off, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("wal: repairing %s: fsync: %w", name, err)
	}
	w.logger.Warn("wal: cut the torn tail", "file", name, "offset", off, "saved", broken, "bytes", end-off)
	return nil
}

// openTail opens the last segment for appending at w.tailOff. If anything
// but zeros follows (dirty: the remains of writes a crash tore), it is
// cleared, so that new records are never followed by old bytes that could
// be read as their continuation; then the segment is preallocated again
// and fsynced. The fsync makes what ReadAll read durable (after a clean
// exit it may have been only in the page cache), so the first write after
// a restart is a fence (invariant 4).
func (w *WAL) openTail(dirty bool) error {
	name := w.segPath(len(w.segs) - 1)
	f, err := w.fs.OpenWrite(name)
	if err != nil {
		return fmt.Errorf("wal: opening the tail segment: %w", err)
	}
	if dirty {
		err = f.Truncate(w.tailOff)
	}
	if err == nil {
		err = f.Preallocate(w.opts.SegmentSize)
	}
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		f.Close()
		return fmt.Errorf("wal: preparing %s for appending at offset %d: %w", name, w.tailOff, err)
	}
	w.tail = f
	return nil
}
