package wal

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"skiff/raft/raftpb"
	"skiff/wal/vfs"
)

// failNext makes the next call of kind (on a path containing substr) fail
// with err; with forever set, every later one fails too.
func failNext(fsys *vfs.MemFS, kind vfs.OpKind, substr string, err error, forever bool) {
	fired := false
	fsys.SetFault(func(op vfs.Op) error {
		if op.Kind == kind && strings.Contains(op.Path, substr) && (!fired || forever) {
			fired = true
			return err
		}
		return nil
	})
}

// TestFsyncErrorRefusesEveryLaterWrite: after fsync reports EIO, the WAL
// must not retry or carry on (the kernel may have dropped the pages, so a
// later fsync that succeeds proves nothing); after a restart, everything
// acknowledged before the error is there.
func TestFsyncErrorRefusesEveryLaterWrite(t *testing.T) {
	fsys := vfs.NewMemFS()
	w, err := Create("/wal", []byte("m"), memOpts(fsys))
	must(t, err)
	acked := bigEnts(1, 5, 100)
	must(t, w.Save(raftpb.HardState{Term: 1, Commit: 5}, acked))

	failNext(fsys, vfs.OpSync, "", syscall.EIO, false)
	err = w.Save(raftpb.HardState{Term: 1, Commit: 5}, bigEnts(6, 8, 100))
	if !errors.Is(err, ErrFailed) || !errors.Is(err, syscall.EIO) {
		t.Fatalf("Save with a failing fsync: got %v, want ErrFailed wrapping EIO", err)
	}
	fsys.SetFault(nil)
	calls := 0
	fsys.SetAfter(func(vfs.Op) { calls++ })
	for name, call := range map[string]func() error{
		"Save":          func() error { return w.Save(raftpb.HardState{Term: 2}, bigEnts(6, 6, 10)) },
		"SaveSnapshot":  func() error { return w.SaveSnapshot(Snapshot{Index: 5, Term: 1}) },
		"ReleaseLockTo": func() error { return w.ReleaseLockTo(5) },
	} {
		if err := call(); !errors.Is(err, ErrFailed) {
			t.Errorf("%s after a failed fsync: got %v, want ErrFailed", name, err)
		}
	}
	must(t, w.Close())
	if calls != 0 {
		t.Fatalf("the failed WAL made %d file-system calls after the failure, want 0", calls)
	}
	fsys.SetAfter(nil)

	// The crash that follows: only what was fsynced survives.
	img := fsys.CrashImage(vfs.CrashOptions{KeepNames: vfs.KeepAll})
	got, err := readBack(img)
	must(t, err)
	sameEntries(t, got, acked)
}

// TestNoSpaceWhenPreparingASegment: ENOSPC while preallocating the next
// segment fails the Save that needed it, cleanly; after a restart, the log
// is intact and no half-made segment is visible.
func TestNoSpaceWhenPreparingASegment(t *testing.T) {
	fsys := vfs.NewMemFS()
	w, err := Create("/wal", nil, memOpts(fsys))
	must(t, err)
	failNext(fsys, vfs.OpPreallocate, ".tmp", syscall.ENOSPC, true)
	var acked []raftpb.Entry
	for i := uint64(1); ; i++ {
		e := bigEnts(i, i, 100)
		err = w.Save(raftpb.HardState{Term: 1}, e)
		if err != nil {
			break
		}
		acked = append(acked, e...)
	}
	if !errors.Is(err, ErrFailed) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("got %v, want ErrFailed wrapping ENOSPC", err)
	}
	w.Close()
	fsys.SetFault(nil)
	for _, keep := range []func(string, int) int{nil, vfs.KeepAll} {
		img := fsys.CrashImage(vfs.CrashOptions{KeepWrites: keep, KeepNames: keep})
		got, err := readBack(img)
		must(t, err)
		// The failed Save's entry may have reached the disk: it was
		// written and fsynced before the cut failed. It was never
		// acknowledged, so either outcome is allowed.
		if len(got) != len(acked) && len(got) != len(acked)+1 {
			t.Fatalf("read back %d entries, want %d or %d", len(got), len(acked), len(acked)+1)
		}
		sameEntries(t, got[:len(acked)], acked)
		for _, name := range img.Files() {
			if strings.HasSuffix(name, ".tmp") {
				t.Errorf("%s is still there after a restart", name)
			}
		}
	}
}

func TestCreateFailureLeavesNoWAL(t *testing.T) {
	fsys := vfs.NewMemFS()
	failNext(fsys, vfs.OpPreallocate, "", syscall.ENOSPC, false)
	if _, err := Create("/wal", nil, memOpts(fsys)); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("got %v, want ENOSPC", err)
	}
	if Exist("/wal", memOpts(fsys)) {
		t.Fatal("a failed Create left a WAL behind")
	}
	w, err := Create("/wal", nil, memOpts(fsys))
	if err != nil {
		t.Fatalf("Create after the failure: %v", err)
	}
	must(t, w.Close())
	if names, _ := fsys.ReadDir("/wal"); len(names) != 2 || filepath.Ext(names[0]) != ".wal" {
		t.Fatalf("directory holds %v, want the first segment and LOCK", names)
	}
}

func TestCloseWithoutSyncLeavesCommitOnlyWritesUnsynced(t *testing.T) {
	fsys := vfs.NewMemFS()
	w, err := Create("/wal", nil, memOpts(fsys))
	must(t, err)
	must(t, w.Save(raftpb.HardState{Term: 1, Commit: 1}, ents(1, 1, 3)))
	must(t, w.Save(raftpb.HardState{Term: 1, Commit: 3}, nil)) // no fsync needed
	must(t, w.CloseWithoutSync())
	again, err := Open("/wal", Snapshot{}, memOpts(fsys))
	if err != nil {
		t.Fatalf("the lock was not released: %v", err)
	}
	must(t, again.Close())
	w, err = Open("/wal", Snapshot{}, memOpts(fsys.CrashImage(vfs.CrashOptions{KeepNames: vfs.KeepAll})))
	must(t, err)
	defer w.Close()
	_, hs, _ := mustReadAll(t, w)
	if hs.Commit != 1 {
		t.Fatalf("after a crash the commit index is %d, want the synced 1", hs.Commit)
	}
}
