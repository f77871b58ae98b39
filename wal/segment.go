package wal

import (
	"fmt"
	"path/filepath"
	"strings"

	"skiff/wal/vfs"
)

// A segment is one file of the log, named <seq>-<first index>.wal with 16
// hex digits each (as etcd): seq counts segments from 0 and first index is
// the index the next entry had when the segment was started. Entries in a
// segment may have lower indexes than its name says, when the leader made
// the member truncate its log (§5.3); they never have lower indexes than
// the name of an earlier segment says about committed entries.
type segment struct {
	seq   uint64
	index uint64
}

func (s segment) name() string { return fmt.Sprintf("%016x-%016x.wal", s.seq, s.index) }

// parseSegmentName parses a segment's file name; ok is false for other files.
func parseSegmentName(name string) (s segment, ok bool) {
	if !strings.HasSuffix(name, ".wal") || len(name) != 16+1+16+4 {
		return segment{}, false
	}
	var seq, index uint64
	if _, err := fmt.Sscanf(name, "%016x-%016x.wal", &seq, &index); err != nil {
		return segment{}, false
	}
	s = segment{seq: seq, index: index}
	return s, s.name() == name
}

// listSegments returns the segments in dir, oldest first, and checks that
// their sequence numbers have no gap and their indexes do not go backwards.
func listSegments(fsys vfs.FS, dir string) ([]segment, error) {
	names, err := fsys.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var segs []segment
	for _, name := range names {
		if s, ok := parseSegmentName(name); ok {
			segs = append(segs, s)
		}
	}
	for i := 1; i < len(segs); i++ {
		prev, s := segs[i-1], segs[i]
		if s.seq != prev.seq+1 {
			return nil, &CorruptError{File: filepath.Join(dir, s.name()), Reason: fmt.Sprintf("segment %d is missing before it", prev.seq+1)}
		}
		if s.index < prev.index {
			return nil, &CorruptError{File: filepath.Join(dir, s.name()), Reason: fmt.Sprintf("first index %d is below the previous segment's %d", s.index, prev.index)}
		}
	}
	return segs, nil
}

// searchIndex returns the position of the last segment whose first index is
// at most index: the segment that holds the entry after a snapshot at index
// begins there or later.
func searchIndex(segs []segment, index uint64) (int, bool) {
	for i := len(segs) - 1; i >= 0; i-- {
		if segs[i].index <= index {
			return i, true
		}
	}
	return 0, false
}
