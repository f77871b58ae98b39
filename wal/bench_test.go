package wal

import (
	"fmt"
	"path/filepath"
	"testing"

	"skiff/raft/raftpb"
	"skiff/wal/vfs"
)

// The benchmarks run on the real file system, in a temporary directory,
// with fsync included: they measure what a raft Ready costs.

// BenchmarkRawFsync is the floor Save is compared with: a 4 KB write and
// an fdatasync on a preallocated file, as the WAL does.
func BenchmarkRawFsync(b *testing.B) {
	name := filepath.Join(b.TempDir(), "raw")
	f, err := vfs.OS.Create(name)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := f.Preallocate(DefaultSegmentSize); err != nil {
		b.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 4096)
	b.SetBytes(int64(len(buf)))
	var off int64
	for b.Loop() {
		if _, err := f.WriteAt(buf, off); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		off = (off + 4096) % (DefaultSegmentSize - 4096)
	}
}

// BenchmarkWALSave saves batches of entries, one Save (one fsync) per
// batch, as the server does once per Ready.
func BenchmarkWALSave(b *testing.B) {
	for _, size := range []int{100, 1024} {
		for _, batch := range []int{1, 16, 256} {
			b.Run(fmt.Sprintf("batch=%d/size=%d", batch, size), func(b *testing.B) {
				benchSave(b, batch, size)
			})
		}
	}
}

// BenchmarkWALSaveCPU is BenchmarkWALSave on MemFS: the CPU cost of a
// Save (encoding, CRCs, copying) without the disk.
func BenchmarkWALSaveCPU(b *testing.B) {
	for _, batch := range []int{1, 256} {
		b.Run(fmt.Sprintf("batch=%d/size=100", batch), func(b *testing.B) {
			benchSaveOn(b, batch, 100, "/wal", Options{FS: vfs.NewMemFS(), SegmentSize: 1 << 20, PrepareInline: true})
		})
	}
}

func benchSave(b *testing.B, batch, size int) {
	benchSaveOn(b, batch, size, b.TempDir(), Options{})
}

func benchSaveOn(b *testing.B, batch, size int, dir string, opts Options) {
	w, err := Create(dir, []byte("bench"), opts)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	es := make([]raftpb.Entry, batch)
	for i := range es {
		es[i] = raftpb.Entry{Term: 1, Data: make([]byte, size)}
	}
	b.SetBytes(int64(batch * size))
	index := uint64(0)
	for b.Loop() {
		for i := range es {
			index++
			es[i].Index = index
		}
		if err := w.Save(raftpb.HardState{Term: 1, Vote: 1, Commit: index}, es); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(index)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkWALReplay reads back a WAL of 1M entries of 100 B: what a
// restart costs. MB/s counts the entries' data.
func BenchmarkWALReplay(b *testing.B) {
	const n, size, batch = 1_000_000, 100, 1000
	dir := b.TempDir()
	w, err := Create(dir, []byte("bench"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	es := make([]raftpb.Entry, batch)
	for i := range es {
		es[i] = raftpb.Entry{Term: 1, Data: make([]byte, size)}
	}
	for next := uint64(1); next <= n; {
		for i := range es {
			es[i].Index = next
			next++
		}
		if err := w.Save(raftpb.HardState{Term: 1, Commit: next - 1}, es); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(n * size)
	for b.Loop() {
		r, err := OpenForRead(dir, Snapshot{}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		_, _, got, err := r.ReadAll()
		if err != nil || len(got) != n {
			b.Fatalf("read %d entries, err %v", len(got), err)
		}
	}
}
