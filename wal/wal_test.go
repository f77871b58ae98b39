package wal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"skiff/raft/raftpb"
	"skiff/wal/vfs"
)

// ents returns entries lo..hi (inclusive) of term, with data naming them.
func ents(term, lo, hi uint64) []raftpb.Entry {
	var es []raftpb.Entry
	for i := lo; i <= hi; i++ {
		es = append(es, raftpb.Entry{Term: term, Index: i, Data: []byte(fmt.Sprintf("entry %d term %d", i, term))})
	}
	return es
}

func memOpts(fsys *vfs.MemFS) Options {
	return Options{FS: fsys, SegmentSize: 1024, PrepareInline: true}
}

func mustReadAll(t *testing.T, w *WAL) ([]byte, raftpb.HardState, []raftpb.Entry) {
	t.Helper()
	md, hs, es, err := w.ReadAll()
	if err != nil {
		t.Fatalf("ReadAll: %v", err)
	}
	return md, hs, es
}

func sameEntries(t *testing.T, got, want []raftpb.Entry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d", len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("entry %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestCreateSaveReopenOnDisk(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "member", "wal")
	if Exist(dir, Options{}) {
		t.Fatal("Exist before Create")
	}
	w, err := Create(dir, []byte("member 1 cluster 2"), Options{SegmentSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	hs := raftpb.HardState{Term: 2, Vote: 1, Commit: 30}
	for i := uint64(1); i <= 200; i++ {
		if err := w.Save(hs, ents(2, i, i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !Exist(dir, Options{}) {
		t.Fatal("Exist after Create is false")
	}
	names, _ := os.ReadDir(dir)
	if len(names) < 3 {
		t.Fatalf("expected the log to be cut into several segments, found %v", names)
	}
	w, err = Open(dir, Snapshot{}, Options{SegmentSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	md, gotHS, es := mustReadAll(t, w)
	if string(md) != "member 1 cluster 2" || gotHS != hs {
		t.Fatalf("metadata %q state %+v", md, gotHS)
	}
	sameEntries(t, es, ents(2, 1, 200))
	if err := w.Save(hs, ents(2, 201, 201)); err != nil {
		t.Fatalf("appending after reopen: %v", err)
	}
}

func TestCreateFailsWhenAWALExists(t *testing.T) {
	fsys := vfs.NewMemFS()
	w, err := Create("/wal", nil, memOpts(fsys))
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	if _, err := Create("/wal", nil, memOpts(fsys)); !errors.Is(err, ErrExist) {
		t.Fatalf("second Create: got %v, want ErrExist", err)
	}
}

func TestLockNamesTheHolder(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(dir, nil, Options{SegmentSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	_, err = Open(dir, Snapshot{}, Options{})
	if !errors.Is(err, vfs.ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("process %d", os.Getpid())) {
		t.Fatalf("second Open: got %v, want ErrLocked naming process %d", err, os.Getpid())
	}
}

func TestLaterEntriesReplaceConflictingOnes(t *testing.T) {
	fsys := vfs.NewMemFS()
	w, err := Create("/wal", nil, memOpts(fsys))
	if err != nil {
		t.Fatal(err)
	}
	must(t, w.Save(raftpb.HardState{Term: 1}, ents(1, 1, 10)))
	// A new leader in term 2 overwrites the uncommitted suffix from 6 (§5.3).
	must(t, w.Save(raftpb.HardState{Term: 2}, ents(2, 6, 8)))
	must(t, w.Close())
	w, err = Open("/wal", Snapshot{}, memOpts(fsys))
	must(t, err)
	defer w.Close()
	_, hs, es := mustReadAll(t, w)
	sameEntries(t, es, append(ents(1, 1, 5), ents(2, 6, 8)...))
	if hs.Term != 2 {
		t.Fatalf("term %d, want 2", hs.Term)
	}
}

func TestOpenAtSnapshotAndRelease(t *testing.T) {
	fsys := vfs.NewMemFS()
	opts := memOpts(fsys)
	opts.MaxSegments = 2
	w, err := Create("/wal", []byte("m"), opts)
	must(t, err)
	for i := uint64(1); i <= 100; i++ {
		must(t, w.Save(raftpb.HardState{Term: 1, Commit: i}, ents(1, i, i)))
	}
	must(t, w.SaveSnapshot(Snapshot{Index: 80, Term: 1}))
	must(t, w.ReleaseLockTo(80))
	segs, _ := listSegments(fsys, "/wal")
	if len(segs) > 2 && segs[0].index != 0 {
		t.Fatalf("release kept %d segments, want at most 2 or those needed: %v", len(segs), segs)
	}
	if segs[0].index > 80 {
		t.Fatalf("release removed the segment holding index 80: %v", segs)
	}
	must(t, w.Close())
	w, err = Open("/wal", Snapshot{Index: 80, Term: 1}, opts)
	must(t, err)
	md, hs, es := mustReadAll(t, w)
	if string(md) != "m" || hs.Commit != 100 {
		t.Fatalf("metadata %q state %+v", md, hs)
	}
	sameEntries(t, es, ents(1, 81, 100))
	must(t, w.Close())
	if _, err := Open("/wal", Snapshot{}, opts); !errors.Is(err, ErrSnapshotNotFound) {
		t.Fatalf("Open at index 0 after release: got %v, want ErrSnapshotNotFound", err)
	}
	w, err = Open("/wal", Snapshot{Index: 80, Term: 2}, opts)
	must(t, err)
	if _, _, _, err := w.ReadAll(); !errors.Is(err, ErrSnapshotMismatch) {
		t.Fatalf("ReadAll with the wrong term: got %v, want ErrSnapshotMismatch", err)
	}
	w.Close()
	snaps, err := ValidSnapshots("/wal", opts)
	must(t, err)
	if len(snaps) == 0 || snaps[len(snaps)-1] != (Snapshot{Index: 80, Term: 1}) {
		t.Fatalf("ValidSnapshots = %v", snaps)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestRewriteBelowSnapshotDropsLaterEntries is the regression test for a bug
// the crash test found: reading from a snapshot at 24, an entry at 20
// written after entries 25..30 (a new leader overwrote them, §5.3) must
// discard them, though 20 itself is covered by the snapshot.
func TestRewriteBelowSnapshotDropsLaterEntries(t *testing.T) {
	fsys := vfs.NewMemFS()
	w, err := Create("/wal", nil, memOpts(fsys))
	must(t, err)
	must(t, w.Save(raftpb.HardState{Term: 1, Commit: 19}, ents(1, 1, 30)))
	must(t, w.Save(raftpb.HardState{Term: 2, Commit: 24}, ents(2, 20, 24)))
	must(t, w.SaveSnapshot(Snapshot{Index: 24, Term: 2}))
	must(t, w.Close())
	w, err = Open("/wal", Snapshot{Index: 24, Term: 2}, memOpts(fsys))
	must(t, err)
	defer w.Close()
	_, _, es := mustReadAll(t, w)
	if len(es) != 0 {
		t.Fatalf("read %d entries after the snapshot (first %d), want none", len(es), es[0].Index)
	}
}

func TestMetadataRoundTrip(t *testing.T) {
	m := Metadata{MemberID: 0x8e9e05c52164694d, ClusterID: 0xcdf818194e3a8c32}
	var got Metadata
	must(t, got.Unmarshal(m.Marshal()))
	if got != m {
		t.Fatalf("got %+v, want %+v", got, m)
	}
	if err := got.Unmarshal([]byte("short")); err == nil {
		t.Fatal("Unmarshal accepted 5 bytes")
	}
}

func TestSaveRefusesEntriesThatLeaveAGap(t *testing.T) {
	fsys := vfs.NewMemFS()
	w, err := Create("/wal", nil, memOpts(fsys))
	must(t, err)
	defer w.Close()
	must(t, w.Save(raftpb.HardState{Term: 1}, ents(1, 1, 3)))
	for _, bad := range [][]raftpb.Entry{
		ents(1, 5, 6), // skips 4
		{{Term: 1, Index: 4}, {Term: 1, Index: 6}},
		{{Term: 1, Index: 0}},
	} {
		if err := w.Save(raftpb.HardState{Term: 1}, bad); !errors.Is(err, ErrEntryGap) {
			t.Fatalf("Save(%d..): got %v, want ErrEntryGap", bad[0].Index, err)
		}
	}
	// Refusing a batch does not break the WAL: the next good one goes in.
	must(t, w.Save(raftpb.HardState{Term: 1}, ents(1, 4, 4)))
	// After a snapshot marker beyond the log, entries follow the marker.
	must(t, w.SaveSnapshot(Snapshot{Index: 10, Term: 1}))
	must(t, w.Save(raftpb.HardState{Term: 1}, ents(1, 11, 11)))
}

func TestOpenWithoutAWALFailsAndCreatesNothing(t *testing.T) {
	fsys := vfs.NewMemFS()
	if _, err := Open("/data/wal", Snapshot{}, memOpts(fsys)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}
	if names, _ := fsys.ReadDir("/"); len(names) != 0 {
		t.Fatalf("Open created %v", names)
	}
}
