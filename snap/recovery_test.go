package snap_test

import (
	"errors"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"skiff/raft/raftpb"
	"skiff/snap"
	"skiff/wal"
	"skiff/wal/vfs"
)

const (
	walDir  = "/data/member/wal"
	snapDir = "/data/member/snap"
)

func entries(lo, hi uint64) []raftpb.Entry {
	var es []raftpb.Entry
	for i := lo; i <= hi; i++ {
		es = append(es, raftpb.Entry{Term: 1, Index: i, Data: []byte{byte(i), 1, 2, 3}})
	}
	return es
}

func snapshotAt(index uint64) raftpb.Snapshot {
	return raftpb.Snapshot{Metadata: raftpb.SnapshotMetadata{Index: index, Term: 1, ConfState: raftpb.ConfState{Voters: []uint64{1}}}, Data: []byte("state")}
}

// restart is what the server does on restart: the newest snapshot file
// that has a marker in the WAL, then the WAL from that marker. It returns
// the snapshot's index and the entries after it.
func restart(fsys vfs.FS) (uint64, []raftpb.Entry, error) {
	walOpts := wal.Options{FS: fsys, SegmentSize: 1024}
	markers, err := wal.ValidSnapshots(walDir, walOpts)
	if err != nil {
		return 0, nil, err
	}
	ss := snap.NewWithOptions(snapDir, snap.Options{FS: fsys})
	s, err := ss.LoadNewestAvailable(func(m raftpb.SnapshotMetadata) bool {
		return slices.Contains(markers, wal.Snapshot{Index: m.Index, Term: m.Term})
	})
	var at wal.Snapshot
	switch {
	case err == nil:
		at = wal.Snapshot{Index: s.Metadata.Index, Term: s.Metadata.Term}
	case !errors.Is(err, snap.ErrNoSnapshot):
		return 0, nil, err
	}
	w, err := wal.Open(walDir, at, walOpts)
	if err != nil {
		return 0, nil, err
	}
	defer w.Close()
	_, _, es, err := w.ReadAll()
	return at.Index, es, err
}

// TestRestartAfterACrashWhileSnapshotting crashes after every file-system
// call of taking a snapshot (write the file, write the WAL marker, release
// old segments and snapshots) with the smallest retention, and restarts:
// the snapshot plus the WAL must always cover every acknowledged entry.
func TestRestartAfterACrashWhileSnapshotting(t *testing.T) {
	fsys := vfs.NewMemFS()
	walOpts := wal.Options{FS: fsys, SegmentSize: 1024, MaxSegments: 1, PrepareInline: true}
	ss := snap.NewWithOptions(snapDir, snap.Options{FS: fsys, MaxSnapshots: 1})
	w, err := wal.Create(walDir, []byte("m"), walOpts)
	if err != nil {
		t.Fatal(err)
	}
	// mustDo fails the test on an error.
	mustDo := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	takeSnapshot := func(index uint64) {
		mustDo(ss.Save(snapshotAt(index)))
		mustDo(w.SaveSnapshot(wal.Snapshot{Index: index, Term: 1}))
		mustDo(w.ReleaseLockTo(index))
	}
	acked := uint64(0)
	for i := uint64(1); i <= 60; i++ {
		mustDo(w.Save(raftpb.HardState{Term: 1, Commit: i}, entries(i, i)))
		acked = i
		if i%20 == 0 {
			checked := 0
			fsys.SetAfter(func(op vfs.Op) {
				rng := rand.New(rand.NewSource(int64(op.Seq)))
				fsys.CrashImages(rng, 32, func(desc string, img *vfs.MemFS) {
					index, es, err := restart(img)
					if errors.Is(err, wal.ErrCorrupt) && strings.Contains(desc, "garbage") {
						return // a tear with garbage in an unacknowledged write may be refused
					}
					if err != nil {
						t.Fatalf("crash after %v (%s): restart: %v", op, desc, err)
					}
					if len(es) > 0 && es[0].Index != index+1 || index+uint64(len(es)) < acked {
						t.Fatalf("crash after %v (%s): snapshot at %d and %d entries do not cover the %d acknowledged", op, desc, index, len(es), acked)
					}
					checked++
				})
			})
			takeSnapshot(i - 5)
			fsys.SetAfter(nil)
			if checked == 0 {
				t.Fatal("no crash image was checked")
			}
		}
	}
	mustDo(w.Close())
}
