package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"skiff/raft/raftpb"
	"skiff/wal/vfs"
)

// Dump writes a line for every record of the WAL in dir, segment by
// segment, and how each segment ends: for reading a WAL while debugging,
// and in tests. It changes nothing on disk. Damage is reported in the
// output, not as an error; the error is for failing to read the files.
func Dump(dir string, opts Options, out io.Writer) error {
	fsys := opts.withDefaults().FS
	segs, err := listSegments(fsys, dir)
	if err != nil {
		return fmt.Errorf("wal: listing %s: %w", dir, err)
	}
	var c chain
	for i, seg := range segs {
		last := i == len(segs)-1
		name := seg.name()
		read := vfs.ReadFile
		if last {
			read = readTrimmed
		}
		buf, err := read(fsys, filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("wal: %w", err)
		}
		fmt.Fprintf(out, "%s\n", name)
		end, err := scanSegment(name, buf, &c, last, func(r record) error {
			fmt.Fprintf(out, "  %8d %s\n", r.off, describe(r))
			return nil
		})
		fmt.Fprintf(out, "  %8d %s\n", end, describeEnd(err))
	}
	return nil
}

// describe is the one-line summary of a record used by Dump.
func describe(r record) string {
	s := r.typ.String()
	if r.fence {
		s += " (fence)"
	}
	switch r.typ {
	case entryType:
		var e raftpb.Entry
		if e.Unmarshal(r.data) == nil {
			return fmt.Sprintf("%s index=%d term=%d type=%s bytes=%d", s, e.Index, e.Term, e.Type, len(e.Data))
		}
	case stateType:
		var h raftpb.HardState
		if h.Unmarshal(r.data) == nil {
			return fmt.Sprintf("%s term=%d vote=%d commit=%d", s, h.Term, h.Vote, h.Commit)
		}
	case snapshotType:
		var m Snapshot
		if m.unmarshal(r.data) == nil {
			return fmt.Sprintf("%s index=%d term=%d", s, m.Index, m.Term)
		}
	case crcType:
		return fmt.Sprintf("%s %08x", s, binary.LittleEndian.Uint32(r.data))
	case metadataType:
		var m Metadata
		if m.Unmarshal(r.data) == nil {
			return fmt.Sprintf("%s member=%x cluster=%x", s, m.MemberID, m.ClusterID)
		}
	}
	return fmt.Sprintf("%s bytes=%d (undecodable)", s, len(r.data))
}

func describeEnd(err error) string {
	var torn *tornError
	switch {
	case err == nil:
		return "end"
	case errors.As(err, &torn):
		return "torn: " + torn.reason
	}
	return "damaged: " + err.Error()
}
