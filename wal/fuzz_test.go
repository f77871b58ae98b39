package wal

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"skiff/raft/raftpb"
	"skiff/wal/vfs"
)

// sampleSegment is a valid segment: crc, metadata, entries, hard state and
// a snapshot marker, each entry's data taken from payload (a length byte,
// then that many bytes, repeated). Every frame is a write of its own,
// made after the previous one was fsynced (so it carries the fence).
func sampleSegment(payload []byte) ([]byte, []record) {
	var e encoder
	add := func(typ recordType, data []byte) {
		e.fence = true
		e.add(typ, data)
	}
	e.addCRC()
	add(metadataType, []byte("member 1 cluster 2"))
	idx := uint64(0)
	for len(payload) > 0 {
		n := min(int(payload[0]), len(payload)-1)
		idx++
		ent := raftpb.Entry{Term: 1, Index: idx, Data: payload[1 : 1+n]}
		add(entryType, ent.MarshalAppend(nil))
		payload = payload[1+n:]
	}
	hs := raftpb.HardState{Term: 1, Vote: 1, Commit: idx}
	add(stateType, hs.MarshalAppend(nil))
	add(snapshotType, Snapshot{Index: idx / 2, Term: 1}.marshal())
	return e.buf, decodeAll(e.buf)
}

func decodeAll(seg []byte) []record {
	var recs []record
	var c chain
	scanSegment("seed", seg, &c, false, func(r record) error { recs = append(recs, r); return nil })
	return recs
}

// FuzzWALDecode reads arbitrary bytes as a segment. It must not panic; it
// must end in one of the three outcomes (clean end, torn tail in the last
// segment only, CorruptError); and the records it accepts must be exactly
// what encoding them again gives, byte for byte: no record with a failed
// chained CRC is ever accepted.
func FuzzWALDecode(f *testing.F) {
	seg, _ := sampleSegment([]byte("\x05hello\x00\x03abc"))
	f.Add(seg, true)
	f.Add(seg[:len(seg)-5], true)
	f.Add(seg[:len(seg)-5], false)
	f.Add(append(append([]byte(nil), seg...), make([]byte, 600)...), true)
	f.Add(make([]byte, 64), true)
	f.Fuzz(func(t *testing.T, data []byte, last bool) {
		var c chain
		var recs []record
		r := &replay{}
		end, err := scanSegment("fuzz.wal", data, &c, last, func(rec record) error {
			recs = append(recs, rec)
			_ = r.apply(rec) // must not panic on any CRC-valid data
			return nil
		})
		if n := countEntryFrames(data); n > len(data)/headerSize {
			t.Fatalf("countEntryFrames = %d for %d bytes", n, len(data))
		}
		var torn *tornError
		var ce *CorruptError
		switch {
		case err == nil, errors.As(err, &ce):
		case errors.As(err, &torn):
			if !last {
				t.Fatalf("torn tail reported in a segment that is not the last: %v", err)
			}
		default:
			t.Fatalf("unexpected error type %T: %v", err, err)
		}
		if end < 0 || end > int64(len(data)) {
			t.Fatalf("end %d outside the %d-byte input", end, len(data))
		}
		if len(recs) == 0 {
			return
		}
		e := encoder{crc: binary.LittleEndian.Uint32(recs[0].data)}
		for _, rec := range recs {
			e.fence = rec.fence
			e.add(rec.typ, rec.data)
		}
		if !bytes.Equal(e.buf, data[:len(e.buf)]) {
			t.Fatalf("accepted records do not re-encode to the input")
		}
		if err == nil && int64(len(e.buf)) != end {
			t.Fatalf("accepted %d bytes of records but reported end %d", len(e.buf), end)
		}
	})
}

// FuzzWALRoundTrip encodes records made from payload, each its own fsynced
// write, and checks decoding them back: whole, they come back equal; cut
// at any byte or zeroed from any sector boundary (what a crash leaves), a
// prefix comes back with no corruption reported; with one sector zeroed
// (lost), corruption is reported unless only the last write is hit; with
// one bit flipped, either corruption is reported, or the records come back
// equal, or (a flip in the last record, which then may look torn) a strict
// prefix. Never different data.
func FuzzWALRoundTrip(f *testing.F) {
	f.Add([]byte("\x05hello\x00\x03abc"), uint16(40), uint32(77))
	f.Add(bytes.Repeat([]byte{0xff}, 3000), uint16(1000), uint32(9000))
	f.Add([]byte{}, uint16(0), uint32(0))
	f.Fuzz(func(t *testing.T, payload []byte, cut uint16, flip uint32) {
		payload = payload[:min(len(payload), 1<<13)] // keep each run fast
		seg, want := sampleSegment(payload)
		got, end, err := decodeLast(seg)
		if err != nil || end != int64(len(seg)) || !samePrefix(got, want) || len(got) != len(want) {
			t.Fatalf("whole segment: %d of %d records, end %d of %d, err %v", len(got), len(want), end, len(seg), err)
		}
		firstFrame := int(want[1].off)
		truncated := seg[:int(cut)%(len(seg)+1)]
		checkCrashPrefix(t, "truncated", truncated, want, len(truncated) < firstFrame)
		zeroed := append([]byte(nil), seg...)
		from := int(cut) % (len(seg)/vfs.SectorSize + 1) * vfs.SectorSize
		if from < len(zeroed) {
			clear(zeroed[from:])
		}
		checkCrashPrefix(t, "zeroed", zeroed, want, from < firstFrame)
		checkLostSector(t, seg, want, int(flip))
		flipped := append([]byte(nil), seg...)
		bit := int(flip) % (len(seg) * 8)
		flipped[bit/8] ^= 1 << (bit % 8)
		got, _, err = decodeLast(flipped)
		var torn *tornError
		switch {
		case errors.Is(err, ErrCorrupt):
		case !samePrefix(got, want):
			t.Fatalf("bit %d flipped: different records came back", bit)
		case errors.As(err, &torn) && int64(bit/8) < want[len(want)-1].off:
			t.Fatalf("bit %d flipped before the last record, reported as a torn tail", bit)
		case err == nil && len(got) != len(want):
			t.Fatalf("bit %d flipped: %d of %d records and no error", bit, len(got), len(want))
		}
	})
}

// checkLostSector zeroes one sector of seg, as a disk that loses a write
// would: if it lies wholly before the last frame (a later fsynced write
// follows it), the decoder must report corruption, never cut it away.
func checkLostSector(t *testing.T, seg []byte, want []record, at int) {
	nsectors := (len(seg) + vfs.SectorSize - 1) / vfs.SectorSize
	x := at % nsectors * vfs.SectorSize
	lost := append([]byte(nil), seg...)
	clear(lost[x:min(x+vfs.SectorSize, len(lost))])
	got, _, err := decodeLast(lost)
	if !samePrefix(got, want) {
		t.Fatalf("sector at %d lost: different records came back", x)
	}
	lastFrame := int(want[len(want)-1].off)
	if x+vfs.SectorSize <= lastFrame && !errors.Is(err, ErrCorrupt) && !bytes.Equal(lost, seg) {
		t.Fatalf("sector at %d lost, before the last write at %d: got %d of %d records and %v, want corruption",
			x, lastFrame, len(got), len(want), err)
	}
}

func decodeLast(seg []byte) ([]record, int64, error) {
	var recs []record
	var c chain
	end, err := scanSegment("fuzz.wal", seg, &c, true, func(r record) error { recs = append(recs, r); return nil })
	return recs, end, err
}

// checkCrashPrefix: a crash-damaged segment yields a prefix of want and no
// corruption, unless the damage reaches the segment's first record
// (mayFail), which a crash cannot do (segments appear whole).
func checkCrashPrefix(t *testing.T, what string, seg []byte, want []record, mayFail bool) {
	got, _, err := decodeLast(seg)
	if errors.Is(err, ErrCorrupt) && !mayFail {
		t.Fatalf("%s segment (%d bytes): %v", what, len(seg), err)
	}
	if !samePrefix(got, want) {
		t.Fatalf("%s segment: records differ from those written", what)
	}
}

func samePrefix(got, want []record) bool {
	if len(got) > len(want) {
		return false
	}
	for i := range got {
		if got[i].typ != want[i].typ || !bytes.Equal(got[i].data, want[i].data) || got[i].off != want[i].off {
			return false
		}
	}
	return true
}

// TestWriteFuzzSeeds writes the committed seed corpora of the fuzz targets
// (testdata/fuzz/...). It runs only with SKIFF_WRITE_FUZZ_SEEDS=1.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("SKIFF_WRITE_FUZZ_SEEDS") == "" {
		t.Skip("set SKIFF_WRITE_FUZZ_SEEDS=1 to rewrite testdata/fuzz")
	}
	seg, _ := sampleSegment(bytes.Repeat([]byte("\x20abcdefghijklmnopqrstuvwxyz012345"), 20))
	torn := append([]byte(nil), seg...)
	clear(torn[512:])
	writeSeed(t, "FuzzWALDecode", "valid-segment", seg, true)
	writeSeed(t, "FuzzWALDecode", "torn-at-sector", torn, true)
	writeSeed(t, "FuzzWALDecode", "torn-not-last", torn, false)
	writeSeed(t, "FuzzWALRoundTrip", "long-payload", bytes.Repeat([]byte("\xc8"), 1200), uint16(700), uint32(4000))
	writeSeed(t, "FuzzWALRoundTrip", "flip-in-header", []byte("\x10aaaaaaaaaaaaaaaa\x10bbbbbbbbbbbbbbbb"), uint16(3), uint32(8*16+5))
}

func writeSeed(t *testing.T, target, name string, args ...any) {
	var b bytes.Buffer
	b.WriteString("go test fuzz v1\n")
	for _, a := range args {
		switch v := a.(type) {
		case []byte:
			b.WriteString("[]byte(" + strconv.Quote(string(v)) + ")\n")
		case bool:
			b.WriteString(map[bool]string{true: "bool(true)\n", false: "bool(false)\n"}[v])
		case uint16:
			b.WriteString("uint16(" + strconv.FormatUint(uint64(v), 10) + ")\n")
		case uint32:
			b.WriteString("uint32(" + strconv.FormatUint(uint64(v), 10) + ")\n")
		}
	}
	dir := filepath.Join("testdata", "fuzz", target)
	must(t, os.MkdirAll(dir, 0o755))
	must(t, os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644))
}
