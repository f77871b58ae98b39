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
// the member truncate its log (§5.3) after the segment was started.
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
// their sequence numbers have no gap. (Their indexes may go backwards: a
// segment cut after the log was truncated is named for the shorter log.)
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
	}
	return segs, nil
}

// searchIndex returns the position of the last segment whose name's index
// is at most index. Everything a reader starting from a snapshot at index
// needs is in that segment or later ones: when it was started the log
// ended before index, so the entries after index, and the snapshot's
// marker, were all written after it.
func searchIndex(segs []segment, index uint64) (int, bool) {
	for i := len(segs) - 1; i >= 0; i-- {
		if segs[i].index <= index {
			return i, true
		}
	}
	return 0, false
}
