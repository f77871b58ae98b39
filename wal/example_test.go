package wal_test

import (
	"fmt"
	"os"
	"path/filepath"

	"skiff/raft/raftpb"
	"skiff/wal"
	"skiff/wal/vfs"
)

// Example shows a member's life: bootstrap, one Ready, a snapshot, and a
// restart that reads the log back from the snapshot.
func Example() {
	dataDir, _ := os.MkdirTemp("", "skiff-example")
	defer os.RemoveAll(dataDir)
	dir := filepath.Join(dataDir, "member", "wal")
	opts := wal.Options{SegmentSize: 1 << 20, MaxSegments: wal.DefaultMaxSegments}

	// First start: no WAL, so bootstrap.
	fmt.Println("exists:", wal.Exist(dir, opts))
	w, err := wal.Create(dir, wal.Metadata{MemberID: 1, ClusterID: 0xc1}.Marshal(), opts)
	if err != nil {
		panic(err)
	}
	// One raft Ready: persist, then act on it.
	ents := []raftpb.Entry{
		{Term: 1, Index: 1, Data: []byte("set /a 1")},
		{Term: 1, Index: 2, Data: []byte("set /b 2")},
		{Term: 1, Index: 3, Data: []byte("set /c 3")},
	}
	if err := w.Save(raftpb.HardState{Term: 1, Vote: 1, Commit: 3}, ents); err != nil {
		panic(err) // the member must stop
	}
	// A snapshot at index 2 was written by package snap; mark it.
	if err := w.SaveSnapshot(wal.Snapshot{Index: 2, Term: 1}); err != nil {
		panic(err)
	}
	if err := w.ReleaseLockTo(2); err != nil {
		panic(err)
	}
	w.Close()

	// Restart from the snapshot.
	w, err = wal.Open(dir, wal.Snapshot{Index: 2, Term: 1}, opts)
	if err != nil {
		panic(err)
	}
	defer w.Close()
	md, hs, after, err := w.ReadAll()
	if err != nil {
		panic(err)
	}
	var m wal.Metadata
	m.Unmarshal(md)
	fmt.Printf("member %x of cluster %x, term %d, commit %d\n", m.MemberID, m.ClusterID, hs.Term, hs.Commit)
	for _, e := range after {
		fmt.Printf("entry %d: %s\n", e.Index, e.Data)
	}
	// Output:
	// exists: false
	// member 1 of cluster c1, term 1, commit 3
	// entry 3: set /c 3
}

// ExampleDump prints a small WAL record by record.
func ExampleDump() {
	fsys := vfs.NewMemFS()
	opts := wal.Options{FS: fsys, SegmentSize: 1 << 20, PrepareInline: true}
	w, err := wal.Create("/wal", wal.Metadata{MemberID: 1, ClusterID: 0xc1}.Marshal(), opts)
	if err != nil {
		panic(err)
	}
	w.Save(raftpb.HardState{Term: 2, Vote: 1, Commit: 1}, []raftpb.Entry{{Term: 2, Index: 1, Data: []byte("x")}})
	w.Close()
	wal.Dump("/wal", opts, os.Stdout)
	// Output:
	// 0000000000000000-0000000000000000.wal
	//          0 crc 00000000
	//         16 metadata member=1 cluster=c1
	//         48 snapshot index=0 term=0
	//         80 entry (fence) index=1 term=2 type=Normal bytes=1
	//        104 hard state term=2 vote=1 commit=1
	//        120 end
}
