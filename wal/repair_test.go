package wal

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"skiff/raft/raftpb"
	"skiff/wal/vfs"
)

// bigEnts returns entries lo..hi of term 1 with size bytes of random data
// each, from a fixed seed.
func bigEnts(lo, hi uint64, size int) []raftpb.Entry {
	rng := rand.New(rand.NewSource(int64(lo)))
	var es []raftpb.Entry
	for i := lo; i <= hi; i++ {
		d := make([]byte, size)
		rng.Read(d)
		es = append(es, raftpb.Entry{Term: 1, Index: i, Data: d})
	}
	return es
}

// writeLog creates a WAL in /wal holding es, one Save per entry and no hard
// state, and closes it. It returns the name of the last segment and the
// offsets at which each entry's frame starts in it.
func writeLog(t *testing.T, fsys *vfs.MemFS, segSize int64, es []raftpb.Entry) (string, []int64) {
	t.Helper()
	w, err := Create("/wal", []byte("meta"), Options{FS: fsys, SegmentSize: segSize, PrepareInline: true})
	must(t, err)
	var offs []int64
	for _, e := range es {
		if len(w.segs) > 1 {
			offs = nil // only offsets in the last segment are kept
		}
		offs = append(offs, w.tailOff)
		must(t, w.Save(raftpb.HardState{}, []raftpb.Entry{e}))
	}
	name := w.tailName()
	must(t, w.Close())
	return name, offs
}

// rewrite replaces the content of a MemFS file with f(content), durably.
func rewrite(t *testing.T, fsys *vfs.MemFS, name string, f func([]byte) []byte) {
	t.Helper()
	b, err := vfs.ReadFile(fsys, name)
	must(t, err)
	b = f(b)
	file, err := fsys.OpenWrite(name)
	must(t, err)
	must(t, file.Truncate(0))
	_, err = file.WriteAt(b, 0)
	must(t, err)
	must(t, file.Sync())
	must(t, file.Close())
}

func readBack(fsys *vfs.MemFS) ([]raftpb.Entry, error) {
	w, err := Open("/wal", Snapshot{}, Options{FS: fsys, SegmentSize: 1 << 20, PrepareInline: true})
	if err != nil {
		return nil, err
	}
	defer w.Close()
	_, _, es, err := w.ReadAll()
	return es, err
}

func TestRepairCutsATruncatedLastRecord(t *testing.T) {
	fsys := vfs.NewMemFS()
	es := bigEnts(1, 10, 100)
	name, offs := writeLog(t, fsys, 1<<20, es)
	end := offs[len(offs)-1] + int64(frameSize(es[9].Size()))
	rewrite(t, fsys, name, func(b []byte) []byte { return b[:end-4] })

	got, err := readBack(fsys)
	must(t, err)
	sameEntries(t, got, es[:9])
	broken, err := vfs.ReadFile(fsys, name+".broken")
	if err != nil {
		t.Fatalf("the cut bytes were not kept: %v", err)
	}
	if int64(len(broken)) != end-4-offs[9] {
		t.Fatalf(".broken holds %d bytes, want the %d cut", len(broken), end-4-offs[9])
	}
	// Recovering again changes nothing, and appending works.
	got, err = readBack(fsys)
	must(t, err)
	sameEntries(t, got, es[:9])
	appendAndCheck(t, fsys, es[:9])
}

// appendAndCheck appends one entry after want and checks it reads back.
func appendAndCheck(t *testing.T, fsys *vfs.MemFS, want []raftpb.Entry) {
	t.Helper()
	opts := Options{FS: fsys, SegmentSize: 1 << 20, PrepareInline: true}
	w, err := Open("/wal", Snapshot{}, opts)
	must(t, err)
	_, _, _, err = w.ReadAll()
	must(t, err)
	next := bigEnts(uint64(len(want)+1), uint64(len(want)+1), 50)
	must(t, w.Save(raftpb.HardState{Term: 1}, next))
	must(t, w.Close())
	got, err := readBack(fsys)
	must(t, err)
	sameEntries(t, got, append(append([]raftpb.Entry(nil), want...), next...))
}

func TestRepairCutsARecordTornAtASectorBoundary(t *testing.T) {
	fsys := vfs.NewMemFS()
	es := bigEnts(1, 8, 700) // each frame spans a sector boundary
	name, offs := writeLog(t, fsys, 1<<20, es)
	// The last write reached the disk up to the first sector boundary
	// inside the 7th record; the rest reads as zeros.
	tear := (offs[6]/vfs.SectorSize + 1) * vfs.SectorSize
	rewrite(t, fsys, name, func(b []byte) []byte { clear(b[tear:]); return b })
	got, err := readBack(fsys)
	must(t, err)
	sameEntries(t, got, es[:6])
	appendAndCheck(t, fsys, es[:6])
}

func TestCRCMismatchBeforeTheTailIsCorruption(t *testing.T) {
	fsys := vfs.NewMemFS()
	es := bigEnts(1, 10, 100)
	name, offs := writeLog(t, fsys, 1<<20, es)
	at := offs[4] + headerSize + 10 // inside the 5th entry's data
	rewrite(t, fsys, name, func(b []byte) []byte { b[at] ^= 0x01; return b })
	_, err := readBack(fsys)
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.File != name || ce.Offset != offs[4] {
		t.Fatalf("got %v, want a CorruptError for %s at offset %d", err, name, offs[4])
	}
	if !strings.Contains(err.Error(), "CRC mismatch") {
		t.Fatalf("error does not say what is wrong: %v", err)
	}
	var dump strings.Builder
	must(t, Dump("/wal", Options{FS: fsys}, &dump))
	if want := fmt.Sprintf("%8d damaged: ", offs[4]); !strings.Contains(dump.String(), want) {
		t.Fatalf("Dump does not show the damage at %d:\n%s", offs[4], dump.String())
	}
}

func TestCRCMismatchInTheLastRecordWithoutZerosIsCorruption(t *testing.T) {
	// A flipped bit in the last record is not a torn write: nothing after
	// a sector boundary inside it reads as zeros.
	fsys := vfs.NewMemFS()
	es := bigEnts(1, 10, 100)
	name, offs := writeLog(t, fsys, 1<<20, es)
	at := offs[9] + headerSize + 50
	rewrite(t, fsys, name, func(b []byte) []byte { b[at] ^= 0x80; return b })
	if _, err := readBack(fsys); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("got %v, want ErrCorrupt", err)
	}
}

func TestDamageInAnEarlierSegmentIsNeverRepaired(t *testing.T) {
	fsys := vfs.NewMemFS()
	es := bigEnts(1, 40, 100)
	writeLog(t, fsys, 1024, es)
	segs, err := listSegments(fsys, "/wal")
	must(t, err)
	if len(segs) < 3 {
		t.Fatalf("want several segments, got %v", segs)
	}
	first := "/wal/" + segs[0].name()
	// Zero the end of the first segment, as a torn write would look.
	rewrite(t, fsys, first, func(b []byte) []byte { clear(b[len(b)-100:]); return b })
	_, err = readBack(fsys)
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.File != first {
		t.Fatalf("got %v, want a CorruptError in %s", err, first)
	}
}

func TestMissingSegmentIsCorruption(t *testing.T) {
	fsys := vfs.NewMemFS()
	writeLog(t, fsys, 1024, bigEnts(1, 40, 100))
	segs, _ := listSegments(fsys, "/wal")
	must(t, fsys.Remove("/wal/"+segs[1].name()))
	if _, err := readBack(fsys); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("got %v, want ErrCorrupt", err)
	}
}

func TestGarbageAfterTheEndIsClearedBeforeAppending(t *testing.T) {
	// Sectors written out of order by a crash: zeros, then garbage, near
	// the end of the log or megabytes after it (beyond the chunks that
	// readTrimmed reads backwards).
	for _, gap := range []int64{2 * vfs.SectorSize, 3 << 20} {
		t.Run(fmt.Sprint("gap=", gap), func(t *testing.T) {
			fsys := vfs.NewMemFS()
			es := bigEnts(1, 5, 100)
			name, offs := writeLog(t, fsys, 4<<20, es)
			end := offs[4] + int64(frameSize(es[4].Size()))
			garbageAt := (end+gap)/vfs.SectorSize*vfs.SectorSize + vfs.SectorSize
			rewrite(t, fsys, name, func(b []byte) []byte {
				rand.New(rand.NewSource(1)).Read(b[garbageAt : garbageAt+vfs.SectorSize])
				return b
			})
			got, err := readBack(fsys)
			must(t, err)
			sameEntries(t, got, es)
			appendAndCheck(t, fsys, es)
			b, _ := vfs.ReadFile(fsys, name)
			if int64(len(b)) > garbageAt && !allZero(b[garbageAt:min(int64(len(b)), garbageAt+vfs.SectorSize)]) {
				t.Fatal("the garbage after the end of the log was not cleared")
			}
		})
	}
}

func TestOpenForReadStopsAtATornTailWithoutRepairing(t *testing.T) {
	fsys := vfs.NewMemFS()
	es := bigEnts(1, 10, 100)
	name, offs := writeLog(t, fsys, 1<<20, es)
	end := offs[9] + int64(frameSize(es[9].Size()))
	rewrite(t, fsys, name, func(b []byte) []byte { return b[:end-4] })
	before, _ := vfs.ReadFile(fsys, name)

	w, err := OpenForRead("/wal", Snapshot{}, Options{FS: fsys})
	must(t, err)
	_, _, got, err := w.ReadAll()
	must(t, err)
	sameEntries(t, got, es[:9])
	if err := w.Save(raftpb.HardState{Term: 1}, nil); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("Save on a read-only WAL: got %v, want ErrReadOnly", err)
	}
	must(t, w.Close())
	after, _ := vfs.ReadFile(fsys, name)
	if !bytes.Equal(before, after) {
		t.Fatal("OpenForRead changed the segment")
	}
	if _, err := fsys.Open(name + ".broken"); err == nil {
		t.Fatal("OpenForRead wrote a .broken file")
	}
}

// TestRepairCutsAWriteWithAHole: the last write's sectors reached the disk
// out of order, leaving a run of zeros inside it with written sectors
// after. Nothing was written after an fsync of it (no fence follows), so
// it was never acknowledged, and the whole write is cut.
func TestRepairCutsAWriteWithAHole(t *testing.T) {
	fsys := vfs.NewMemFS()
	w, err := Create("/wal", nil, Options{FS: fsys, SegmentSize: 1 << 20, PrepareInline: true})
	must(t, err)
	acked := bigEnts(1, 4, 100)
	must(t, w.Save(raftpb.HardState{Term: 1}, acked))
	start := w.tailOff
	must(t, w.Save(raftpb.HardState{Term: 1, Commit: 4}, bigEnts(5, 7, 700)))
	name := w.tailName()
	must(t, w.Close())
	hole := (start/vfs.SectorSize + 1) * vfs.SectorSize // the first sector boundary inside the write
	rewrite(t, fsys, name, func(b []byte) []byte { clear(b[hole : hole+vfs.SectorSize]); return b })
	got, err := readBack(fsys)
	must(t, err)
	sameEntries(t, got, acked)
	appendAndCheck(t, fsys, acked)
}

// TestLostSectorInAnAcknowledgedWriteIsCorruption: a sector of zeros inside
// a write that a later, fenced write follows was acknowledged: the disk
// lost it. Cutting it away could lose committed data, so it is reported.
func TestLostSectorInAnAcknowledgedWriteIsCorruption(t *testing.T) {
	fsys := vfs.NewMemFS()
	es := bigEnts(1, 6, 700)
	name, offs := writeLog(t, fsys, 1<<20, es)
	hole := (offs[2]/vfs.SectorSize + 1) * vfs.SectorSize // inside the 3rd entry's write
	rewrite(t, fsys, name, func(b []byte) []byte { clear(b[hole : hole+vfs.SectorSize]); return b })
	if _, err := readBack(fsys); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("got %v, want ErrCorrupt", err)
	}
}

// TestLostHeaderSectorBeforeAFenceIsCorruption: when the lost sector holds a
// whole frame, header included, the log seems to end there; the fence on a
// later frame shows that it does not.
func TestLostHeaderSectorBeforeAFenceIsCorruption(t *testing.T) {
	var e encoder
	e.addCRC()                             // 16 bytes
	e.add(metadataType, make([]byte, 484)) // 496 bytes: the next frames start on sector boundaries
	for i := range 3 {
		e.fence = true
		e.add(entryType, (&raftpb.Entry{Term: 1, Index: uint64(i + 1), Data: bytes.Repeat([]byte{7}, 494)}).MarshalAppend(nil))
	}
	seg := e.buf
	if len(seg) != 4*vfs.SectorSize {
		t.Fatalf("segment has %d bytes; the frames are not sector-sized", len(seg))
	}
	clear(seg[2*vfs.SectorSize : 3*vfs.SectorSize]) // the second entry, header and all
	var c chain
	_, err := scanSegment("seg", seg, &c, true, func(record) error { return nil })
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("got %v, want ErrCorrupt", err)
	}
}
