package snap

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"skiff/raft/raftpb"
	"skiff/wal/vfs"
)

func snapAt(term, index uint64) raftpb.Snapshot {
	return raftpb.Snapshot{
		Metadata: raftpb.SnapshotMetadata{Index: index, Term: term, ConfState: raftpb.ConfState{Voters: []uint64{1, 2, 3}}},
		Data:     []byte("store state at " + fileName(term, index)),
	}
}

func TestSaveLoadOnDisk(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "member", "snap")
	ss := New(dir, nil)
	if _, err := ss.Load(); !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("Load of a missing dir: got %v, want ErrNoSnapshot", err)
	}
	want := snapAt(3, 75)
	if err := ss.Save(want); err != nil {
		t.Fatal(err)
	}
	got, err := ss.Load()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestSaveRefusesEmptySnapshot(t *testing.T) {
	ss := NewWithOptions("/snap", Options{FS: vfs.NewMemFS()})
	if err := ss.Save(raftpb.Snapshot{}); !errors.Is(err, ErrEmptySnapshot) {
		t.Fatalf("got %v, want ErrEmptySnapshot", err)
	}
}

func TestSaveKeepsAtMostMaxSnapshots(t *testing.T) {
	fsys := vfs.NewMemFS()
	ss := NewWithOptions("/snap", Options{FS: fsys, MaxSnapshots: 3})
	for i := uint64(1); i <= 6; i++ {
		if err := ss.Save(snapAt(1, i*10)); err != nil {
			t.Fatal(err)
		}
	}
	files, err := ss.list()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 || files[0].index != 60 || files[2].index != 40 {
		t.Fatalf("kept %+v, want the 3 newest (60, 50, 40)", files)
	}
}

func TestLoadSetsCorruptNewestAsideAndUsesOlder(t *testing.T) {
	fsys := vfs.NewMemFS()
	ss := NewWithOptions("/snap", Options{FS: fsys})
	for _, s := range []raftpb.Snapshot{snapAt(1, 10), snapAt(2, 20)} {
		if err := ss.Save(s); err != nil {
			t.Fatal(err)
		}
	}
	// Flip one bit in the newest file's body.
	f, err := fsys.OpenWrite("/snap/" + fileName(2, 20))
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 1)
	f.ReadAt(b, 30)
	b[0] ^= 0x10
	f.WriteAt(b, 30)
	f.Close()

	got, err := ss.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got.Metadata.Index != 10 {
		t.Fatalf("loaded index %d, want the older snapshot at 10", got.Metadata.Index)
	}
	names, _ := fsys.ReadDir("/snap")
	want := []string{fileName(1, 10), fileName(2, 20) + ".broken"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("directory holds %v, want %v", names, want)
	}
}

func TestLoadNewestAvailableSkipsSnapshotsWithoutMarker(t *testing.T) {
	fsys := vfs.NewMemFS()
	ss := NewWithOptions("/snap", Options{FS: fsys})
	for _, s := range []raftpb.Snapshot{snapAt(1, 10), snapAt(2, 20)} {
		if err := ss.Save(s); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ss.LoadNewestAvailable(func(m raftpb.SnapshotMetadata) bool { return m.Index == 10 && m.Term == 1 })
	if err != nil || got.Metadata.Index != 10 {
		t.Fatalf("got %+v, %v; want the snapshot at 10", got.Metadata, err)
	}
	if _, err := fsys.Open("/snap/" + fileName(2, 20)); err != nil {
		t.Fatalf("the skipped snapshot must be kept: %v", err)
	}
}

func TestFileNamedForAnotherSnapshotIsCorrupt(t *testing.T) {
	fsys := vfs.NewMemFS()
	ss := NewWithOptions("/snap", Options{FS: fsys})
	if err := ss.Save(snapAt(1, 10)); err != nil {
		t.Fatal(err)
	}
	if err := fsys.Rename("/snap/"+fileName(1, 10), "/snap/"+fileName(1, 11)); err != nil {
		t.Fatal(err)
	}
	if _, err := ss.Read(fileName(1, 11)); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("got %v, want ErrCorrupt", err)
	}
}

// TestSaveIsAtomicUnderCrash crashes after every file-system call of a Save
// and checks that the image holds the old snapshot or the new one, whole.
func TestSaveIsAtomicUnderCrash(t *testing.T) {
	fsys := vfs.NewMemFS()
	ss := NewWithOptions("/snap", Options{FS: fsys})
	if err := ss.Save(snapAt(1, 10)); err != nil {
		t.Fatal(err)
	}
	images := 0
	fsys.SetAfter(func(op vfs.Op) {
		for _, keep := range []func(string, int) int{nil, vfs.KeepAll} {
			img := fsys.CrashImage(vfs.CrashOptions{KeepWrites: keep, KeepNames: keep})
			got, err := NewWithOptions("/snap", Options{FS: img}).Load()
			if err != nil {
				t.Fatalf("after %v: Load: %v", op, err)
			}
			if i := got.Metadata.Index; i != 10 && i != 20 {
				t.Fatalf("after %v: loaded index %d", op, i)
			}
			images++
		}
	})
	if err := ss.Save(snapAt(2, 20)); err != nil {
		t.Fatal(err)
	}
	if images == 0 {
		t.Fatal("no crash images were built")
	}
}
