package snap

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"skiff/raft/raftpb"
	"skiff/wal/vfs"
)

// Load returns the newest snapshot that decodes. Files that do not decode
// are renamed <name>.broken (so they are not tried again and stay for
// inspection) and the next older file is tried. It returns ErrNoSnapshot
// when no file is usable, including when the directory does not exist.
func (ss *Snapshotter) Load() (raftpb.Snapshot, error) {
	return ss.LoadNewestAvailable(nil)
}

// LoadNewestAvailable is Load restricted to snapshots for which usable
// returns true; nil allows all. The server passes the markers found in the
// WAL (wal.ValidSnapshots), so that a snapshot file written just before a
// crash, whose marker never reached the WAL, is passed over (and kept).
func (ss *Snapshotter) LoadNewestAvailable(usable func(raftpb.SnapshotMetadata) bool) (raftpb.Snapshot, error) {
	files, err := ss.list()
	if errors.Is(err, fs.ErrNotExist) {
		return raftpb.Snapshot{}, ErrNoSnapshot
	}
	if err != nil {
		return raftpb.Snapshot{}, err
	}
	for _, f := range files {
		if usable != nil && !usable(raftpb.SnapshotMetadata{Index: f.index, Term: f.term}) {
			continue
		}
		s, err := ss.Read(f.name)
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, ErrCorrupt) {
			return raftpb.Snapshot{}, err
		}
		ss.logger.Warn("snap: a snapshot file is corrupt; setting it aside and trying an older one", "file", f.name, "err", err)
		if err := ss.setAside(f.name); err != nil {
			return raftpb.Snapshot{}, err
		}
	}
	return raftpb.Snapshot{}, fmt.Errorf("%w in %s", ErrNoSnapshot, ss.dir)
}

// Read reads and checks one snapshot file of the directory, by base name.
func (ss *Snapshotter) Read(name string) (raftpb.Snapshot, error) {
	path := filepath.Join(ss.dir, name)
	b, err := vfs.ReadFile(ss.fs, path)
	if err != nil {
		return raftpb.Snapshot{}, fmt.Errorf("snap: %w", err)
	}
	s, err := Decode(b)
	if err != nil {
		return raftpb.Snapshot{}, fmt.Errorf("snap: %s: %w", path, err)
	}
	term, index, ok := parseName(name)
	if ok && (term != s.Metadata.Term || index != s.Metadata.Index) {
		return raftpb.Snapshot{}, fmt.Errorf("snap: %s: %w: it holds index %d term %d", path, ErrCorrupt, s.Metadata.Index, s.Metadata.Term)
	}
	return s, nil
}

func (ss *Snapshotter) setAside(name string) error {
	from := filepath.Join(ss.dir, name)
	if err := ss.fs.Rename(from, from+".broken"); err != nil {
		return fmt.Errorf("snap: renaming corrupt %s: %w", from, err)
	}
	if err := ss.fs.SyncDir(ss.dir); err != nil {
		return fmt.Errorf("snap: fsync directory %s: %w", ss.dir, err)
	}
	return nil
}
