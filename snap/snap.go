// Package snap stores raft snapshots as files <term>-<index>.snap (16 hex
// digits each, as etcd) in <data-dir>/member/snap.
//
// A file is:
//
//	offset 0   8 bytes  magic "skfsnap1"
//	offset 8   uint64   n, the length of the body
//	offset 16  uint32   CRC-32C of the body
//	offset 20  body     n bytes: the raftpb.Snapshot encoding (metadata:
//	                    index, term, configuration; then the store's data)
//
// Integers are little-endian. Files are written atomically (temporary
// file, fsync, rename, fsync of the directory), so a crash leaves either
// the whole file or none. Load returns the newest file that decodes;
// a file that does not is renamed <name>.broken and the next older is
// tried.
package snap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"

	"skiff/raft/raftpb"
	"skiff/wal/vfs"
)

// DefaultMaxSnapshots is the default of the server's --max-snapshots:
// etcd's default; older snapshots are only a fallback if the newest is
// damaged, so a few suffice.
const DefaultMaxSnapshots = 5

const (
	magic      = "skfsnap1"
	headerSize = 20
	suffix     = ".snap"
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Sentinel errors; match them with errors.Is.
var (
	// ErrNoSnapshot: the directory holds no usable snapshot.
	ErrNoSnapshot = errors.New("snap: no usable snapshot")
	// ErrEmptySnapshot: Save was given a snapshot at index 0.
	ErrEmptySnapshot = errors.New("snap: empty snapshot")
	// ErrCorrupt: a snapshot file failed its checks. Load skips such files;
	// Read returns this error with the file and the reason.
	ErrCorrupt = errors.New("snap: corrupt snapshot file")
)

// Options configures a Snapshotter.
type Options struct {
	FS     vfs.FS       // nil means vfs.OS
	Logger *slog.Logger // nil discards
	// MaxSnapshots is how many snapshot files Save keeps; 0 keeps all.
	// Values below 2 count as 2: the newest file's WAL marker may not be
	// durable yet (a crash between the two writes), and then the member
	// restarts from the one before it.
	MaxSnapshots int
}

// Snapshotter reads and writes the snapshot files of one directory.
type Snapshotter struct {
	dir    string
	fs     vfs.FS
	logger *slog.Logger
	max    int
}

// New returns a Snapshotter for dir on the real file system that keeps
// DefaultMaxSnapshots files.
func New(dir string, logger *slog.Logger) *Snapshotter {
	return NewWithOptions(dir, Options{Logger: logger, MaxSnapshots: DefaultMaxSnapshots})
}

// NewWithOptions returns a Snapshotter for dir.
func NewWithOptions(dir string, opts Options) *Snapshotter {
	if opts.FS == nil {
		opts.FS = vfs.OS
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxSnapshots == 1 {
		opts.MaxSnapshots = 2
	}
	return &Snapshotter{dir: dir, fs: opts.FS, logger: opts.Logger.With("snap", dir), max: opts.MaxSnapshots}
}

// fileName is the name of the snapshot file for term and index.
func fileName(term, index uint64) string { return fmt.Sprintf("%016x-%016x%s", term, index, suffix) }

// parseName parses a snapshot file's name.
func parseName(name string) (term, index uint64, ok bool) {
	if len(name) != 16+1+16+len(suffix) || !strings.HasSuffix(name, suffix) {
		return 0, 0, false
	}
	if _, err := fmt.Sscanf(name, "%016x-%016x"+suffix, &term, &index); err != nil {
		return 0, 0, false
	}
	return term, index, fileName(term, index) == name
}

// Encode returns the file content for s.
func Encode(s raftpb.Snapshot) []byte {
	b := make([]byte, headerSize, headerSize+len(s.Data)+64)
	copy(b, magic)
	b = s.MarshalAppend(b)
	body := b[headerSize:]
	binary.LittleEndian.PutUint64(b[8:16], uint64(len(body)))
	binary.LittleEndian.PutUint32(b[16:20], crc32.Checksum(body, crcTable))
	return b
}

// Decode parses file content made by Encode. The snapshot's Data aliases b.
func Decode(b []byte) (raftpb.Snapshot, error) {
	var s raftpb.Snapshot
	if len(b) < headerSize || string(b[:8]) != magic {
		return s, fmt.Errorf("%w: not a skiff snapshot file (bad magic or shorter than %d bytes)", ErrCorrupt, headerSize)
	}
	body := b[headerSize:]
	if n := binary.LittleEndian.Uint64(b[8:16]); n != uint64(len(body)) {
		return s, fmt.Errorf("%w: the header says %d bytes follow, the file has %d", ErrCorrupt, n, len(body))
	}
	if want, got := binary.LittleEndian.Uint32(b[16:20]), crc32.Checksum(body, crcTable); want != got {
		return s, fmt.Errorf("%w: CRC mismatch (stored %08x, computed %08x)", ErrCorrupt, want, got)
	}
	if err := s.Unmarshal(body); err != nil {
		return raftpb.Snapshot{}, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return s, nil
}

// Save writes s to <term>-<index>.snap atomically and then removes the
// oldest files beyond MaxSnapshots. An error means the snapshot may not be
// durable; the server must not write its WAL marker.
func (ss *Snapshotter) Save(s raftpb.Snapshot) error {
	if s.IsEmpty() {
		return ErrEmptySnapshot
	}
	if err := ss.fs.MkdirAll(ss.dir); err != nil {
		return fmt.Errorf("snap: creating %s: %w", ss.dir, err)
	}
	if err := ss.fs.SyncDir(filepath.Dir(ss.dir)); err != nil {
		return fmt.Errorf("snap: fsync directory %s: %w", filepath.Dir(ss.dir), err)
	}
	name := filepath.Join(ss.dir, fileName(s.Metadata.Term, s.Metadata.Index))
	if err := vfs.WriteFileAtomic(ss.fs, ss.dir, name, Encode(s)); err != nil {
		return fmt.Errorf("snap: saving %s: %w", name, err)
	}
	ss.logger.Info("snap: saved", "file", filepath.Base(name), "bytes", len(s.Data))
	return ss.purge()
}

// snapFile is a snapshot file's name and what it claims to hold.
type snapFile struct {
	name        string
	term, index uint64
}

// list returns the snapshot files, newest (highest index) first.
func (ss *Snapshotter) list() ([]snapFile, error) {
	names, err := ss.fs.ReadDir(ss.dir)
	if err != nil {
		return nil, fmt.Errorf("snap: reading %s: %w", ss.dir, err)
	}
	var files []snapFile
	for _, n := range names {
		if term, index, ok := parseName(n); ok {
			files = append(files, snapFile{name: n, term: term, index: index})
		}
	}
	sort.Slice(files, func(i, j int) bool {
		if files[i].index != files[j].index {
			return files[i].index > files[j].index
		}
		return files[i].term > files[j].term
	})
	return files, nil
}

func (ss *Snapshotter) purge() error {
	if ss.max <= 0 {
		return nil
	}
	files, err := ss.list()
	if err != nil || len(files) <= ss.max {
		return err
	}
	for _, f := range files[ss.max:] {
		if err := ss.fs.Remove(filepath.Join(ss.dir, f.name)); err != nil {
			return fmt.Errorf("snap: removing old snapshot %s: %w", f.name, err)
		}
		ss.logger.Info("snap: removed old snapshot", "file", f.name)
	}
	if err := ss.fs.SyncDir(ss.dir); err != nil {
		return fmt.Errorf("snap: fsync directory %s: %w", ss.dir, err)
	}
	return nil
}
