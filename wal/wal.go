package wal

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"

	"skiff/raft/raftpb"
	"skiff/wal/vfs"
)

const (
	// DefaultSegmentSize is the size segments are preallocated to and cut
	// at: etcd's 64 MB, large enough that a cut (which costs two extra
	// fsyncs) is rare, small enough that released space returns soon.
	DefaultSegmentSize = 64 * 1000 * 1000
	// DefaultMaxSegments is the default of the server's --max-wals: etcd's
	// default, enough history for a lagging follower's catch-up and for
	// inspection, at a bounded cost in disk.
	DefaultMaxSegments = 5
	// lockName is the lock file in the WAL directory.
	lockName = "LOCK"
)

// Options configures a WAL. The zero value uses the real file system, logs
// nothing, uses DefaultSegmentSize and keeps every released segment.
type Options struct {
	FS     vfs.FS       // nil means vfs.OS
	Logger *slog.Logger // nil discards
	// SegmentSize is the size at which a segment is cut; 0 means
	// DefaultSegmentSize.
	SegmentSize int64
	// MaxSegments is the server's --max-wals: once segments are released
	// by ReleaseLockTo, the oldest are removed until at most this many
	// remain. 0 keeps them all.
	MaxSegments int
	// PrepareInline prepares the next segment in the caller's goroutine
	// when a segment is cut, instead of ahead of time in the background,
	// so that file-system calls happen in a fixed order: for crash tests
	// and deterministic simulation. Cuts then wait for the allocation.
	PrepareInline bool
}

func (o Options) withDefaults() Options {
	if o.FS == nil {
		o.FS = vfs.OS
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.SegmentSize <= 0 {
		o.SegmentSize = DefaultSegmentSize
	}
	return o
}

// WAL is the write-ahead log of one member: a directory of segments, the
// last of which (the tail) is open for appending.
//
// Invariants:
//  1. every segment but the tail is fsynced and cut to the exact end of its
//     last record, and its successor starts with a crc record carrying the
//     running CRC at that end;
//  2. every segment starts with a crc record, then the metadata, then the
//     hard state at the time it was started (if any), so that any suffix of
//     the segments can be read without the ones before;
//  3. once err is set (a write or fsync failed), nothing is written again:
//     the page cache may hold writes that will never reach the disk, and
//     only a restart, reading what is on disk, can tell what survived;
//  4. a frame carries the fence only if it starts a write made after an
//     fsync that covered every earlier frame had returned (synced).
//
// A WAL is safe for concurrent use, though the server calls it from one
// goroutine.
type WAL struct {
	mu     sync.Mutex
	dir    string
	opts   Options
	fs     vfs.FS
	logger *slog.Logger
	lock   io.Closer

	start    Snapshot // the snapshot Open read from
	readOnly bool
	ready    bool // writes are allowed: Create, or ReadAll after Open

	segs      []segment // every segment in dir, oldest first; the last is the tail
	released  int       // segs[:released] are no longer needed
	tail      vfs.File
	tailOff   int64 // where the next frame goes in the tail
	enc       encoder
	metadata  []byte
	state     raftpb.HardState // the last hard state written
	lastIndex uint64           // the index of the last entry written (or marker)
	synced    bool             // an fsync that returned covers every frame written (invariant 4)
	pipe      *pipeline
	err       error // sticky write failure; see invariant 3
	closed    bool
}

// Exist reports whether dir holds a WAL segment: whether a member starting
// there restarts (true) or bootstraps (false).
// A directory whose segments are damaged still holds a WAL: the member
// must restart (and report the damage), never bootstrap over it.
func Exist(dir string, opts Options) bool {
	names, err := opts.withDefaults().FS.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, name := range names {
		if _, ok := parseSegmentName(name); ok {
			return true
		}
	}
	return false
}

// Create makes a new WAL in dir (created if needed) whose segments carry
// metadata, and returns it ready for Save. It fails with ErrExist if dir
// already holds a WAL.
func Create(dir string, metadata []byte, opts Options) (*WAL, error) {
	w, err := newWAL(dir, opts, false)
	if err != nil {
		return nil, err
	}
	if err := w.create(metadata); err != nil {
		w.closeFiles()
		return nil, err
	}
	return w, nil
}

func newWAL(dir string, opts Options, readOnly bool) (*WAL, error) {
	opts = opts.withDefaults()
	w := &WAL{dir: dir, opts: opts, fs: opts.FS, logger: opts.Logger.With("wal", dir), readOnly: readOnly}
	if readOnly {
		return w, nil
	}
	if err := w.fs.MkdirAll(dir); err != nil {
		return nil, fmt.Errorf("wal: creating directory %s: %w", dir, err)
	}
	if err := w.fs.SyncDir(filepath.Dir(dir)); err != nil {
		return nil, fmt.Errorf("wal: fsync directory %s: %w", filepath.Dir(dir), err)
	}
	lock, err := w.fs.Lock(filepath.Join(dir, lockName))
	if err != nil {
		if errors.Is(err, vfs.ErrLocked) {
			return nil, fmt.Errorf("wal: %w; another skiff process uses this WAL: stop it or choose another --data-dir/--wal-dir", err)
		}
		return nil, fmt.Errorf("wal: locking %s: %w", dir, err)
	}
	w.lock = lock
	if err := w.removeTemps(); err != nil {
		w.closeFiles()
		return nil, err
	}
	return w, nil
}

// removeTemps removes segments a crash left half-prepared (*.tmp).
func (w *WAL) removeTemps() error {
	names, err := w.fs.ReadDir(w.dir)
	if err != nil {
		return fmt.Errorf("wal: reading directory %s: %w", w.dir, err)
	}
	removed := false
	for _, name := range names {
		if strings.HasSuffix(name, ".tmp") {
			if err := w.fs.Remove(filepath.Join(w.dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("wal: removing stale %s: %w", name, err)
			}
			removed = true
		}
	}
	if removed {
		if err := w.fs.SyncDir(w.dir); err != nil {
			return fmt.Errorf("wal: fsync directory %s: %w", w.dir, err)
		}
	}
	return nil
}

// create writes the first segment: its records go to a temporary file,
// which is fsynced and then renamed into place, so a crash leaves either
// no WAL or a whole first segment.
func (w *WAL) create(metadata []byte) error {
	segs, err := listSegments(w.fs, w.dir)
	if err != nil {
		return err
	}
	if len(segs) > 0 {
		return fmt.Errorf("%w: %s holds %s", ErrExist, w.dir, segs[0].name())
	}
	w.metadata = append([]byte(nil), metadata...)
	tmp := filepath.Join(w.dir, "create.tmp")
	f, err := w.fs.Create(tmp)
	if err == nil {
		err = f.Preallocate(w.opts.SegmentSize)
	}
	if err != nil {
		return fmt.Errorf("wal: creating %s: %w", tmp, err)
	}
	w.encodeSegmentStart()
	w.enc.add(snapshotType, Snapshot{}.marshal())
	first := segment{seq: 0, index: 0}
	if err := w.fillSegment(f, tmp, first); err != nil {
		f.Close()
		return err
	}
	w.tail, w.tailOff, w.segs, w.ready, w.synced = f, int64(len(w.enc.buf)), []segment{first}, true, true
	w.pipe = newPipeline(w.fs, w.dir, w.opts.SegmentSize, w.opts.PrepareInline)
	return nil
}

// encodeSegmentStart puts into w.enc.buf the records every segment begins
// with (invariant 2), continuing the CRC chain.
func (w *WAL) encodeSegmentStart() {
	w.enc.buf, w.enc.fence = w.enc.buf[:0], w.synced
	w.enc.addCRC()
	w.enc.add(metadataType, w.metadata)
	if !w.state.IsEmpty() {
		w.enc.add(stateType, w.state.MarshalAppend(nil))
	}
}

// fillSegment writes w.enc.buf at the start of the prepared file f (named
// tmp), fsyncs it, renames it to seg's name and fsyncs the directory. A
// crash leaves either no new segment or a whole one.
func (w *WAL) fillSegment(f vfs.File, tmp string, seg segment) error {
	name := filepath.Join(w.dir, seg.name())
	if _, err := f.WriteAt(w.enc.buf, 0); err != nil {
		return fmt.Errorf("wal: writing %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("wal: fsync %s: %w", tmp, err)
	}
	if err := w.fs.Rename(tmp, name); err != nil {
		return fmt.Errorf("wal: renaming %s to %s: %w", tmp, name, err)
	}
	if err := w.fs.SyncDir(w.dir); err != nil {
		return fmt.Errorf("wal: fsync directory %s: %w", w.dir, err)
	}
	return nil
}
