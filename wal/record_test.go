package wal

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"skiff/raft/raftpb"
	"skiff/wal/vfs"
)

// TestHeaderCheckCatchesEveryBitFlip: a flipped bit in a header word must
// never leave a valid header, or a damaged length could be read as a torn
// write and cut away instead of reported.
func TestHeaderCheckCatchesEveryBitFlip(t *testing.T) {
	for _, n := range []int{0, 1, 4, 7, 100, 1000, 65535, 1 << 20} {
		for _, typ := range []recordType{metadataType, entryType, stateType, crcType, snapshotType} {
			var e encoder
			e.add(typ, make([]byte, n))
			for bit := 0; bit < 64; bit++ {
				w := append([]byte(nil), e.buf[:8]...)
				w[bit/8] ^= 1 << (bit % 8)
				if _, bad := parseHeader(w); bad == "" {
					t.Errorf("length %d type %s: flipping header bit %d leaves a valid header", n, typ, bit)
				}
			}
		}
	}
}

func TestFramesAreAlignedAndDecodeInOrder(t *testing.T) {
	var e encoder
	var want [][]byte
	for n := 0; n < 40; n++ {
		data := bytes.Repeat([]byte{byte(n + 1)}, n)
		e.add(entryType, data)
		want = append(want, data)
		if len(e.buf)%frameAlign != 0 {
			t.Fatalf("after a %d-byte record the buffer has %d bytes, not a multiple of %d", n, len(e.buf), frameAlign)
		}
	}
	seg := append(crcFrame(0), e.bufFrom(0)...)
	var got [][]byte
	var c chain
	end, err := scanSegment("seg", seg, &c, false, func(r record) error {
		if r.typ == entryType {
			got = append(got, r.data)
		}
		return nil
	})
	if err != nil || end != int64(len(seg)) {
		t.Fatalf("scan: end %d of %d, err %v", end, len(seg), err)
	}
	if len(got) != len(want) {
		t.Fatalf("decoded %d records, want %d", len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("record %d: got %x, want %x", i, got[i], want[i])
		}
	}
}

// crcFrame is the crc record a segment starting with running CRC crc begins with.
func crcFrame(crc uint32) []byte {
	e := encoder{crc: crc}
	e.addCRC()
	return e.buf
}

// bufFrom re-encodes e's records as if the chain had started at crc: tests
// build segments by hand with it.
func (e *encoder) bufFrom(crc uint32) []byte {
	var out encoder
	out.crc = crc
	// The crc record carries crc and hashes to crcFrame's CRC.
	out.crc = binary.LittleEndian.Uint32(crcFrame(crc)[8:12])
	for off := 0; off < len(e.buf); {
		h, _ := parseHeader(e.buf[off : off+8])
		out.add(h.typ, e.buf[off+headerSize:off+headerSize+h.n])
		off += frameSize(h.n)
	}
	return out.buf
}

func TestSegmentMustStartWithCRCRecord(t *testing.T) {
	var e encoder
	e.add(entryType, []byte("x"))
	var c chain
	_, err := scanSegment("seg", e.buf, &c, true, func(record) error { return nil })
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("got %v, want ErrCorrupt", err)
	}
}

// TestFencesMarkWritesMadeAfterAnFsync checks invariant 4 of WAL: the first
// frame of a write carries the fence exactly when the previous write was
// fsynced, and no other frame does.
func TestFencesMarkWritesMadeAfterAnFsync(t *testing.T) {
	fsys := vfs.NewMemFS()
	w, err := Create("/wal", nil, memOpts(fsys))
	must(t, err)
	fenced := map[int64]bool{} // write start -> whether it must carry the fence
	save := func(hs raftpb.HardState, es []raftpb.Entry, want bool) {
		fenced[w.tailOff] = want
		must(t, w.Save(hs, es))
	}
	save(raftpb.HardState{Term: 1}, ents(1, 1, 2), true)             // after Create's fsync
	save(raftpb.HardState{Term: 1, Commit: 2}, nil, true)            // commit only: not fsynced
	save(raftpb.HardState{Term: 1, Commit: 2}, ents(1, 3, 3), false) // follows the unsynced write
	save(raftpb.HardState{Term: 1, Commit: 3}, ents(1, 4, 4), true)
	name := w.tailName()
	must(t, w.Close())
	buf, err := vfs.ReadFile(fsys, name)
	must(t, err)
	var c chain
	_, err = scanSegment(name, buf, &c, true, func(r record) error {
		if want := fenced[r.off]; r.fence != want {
			t.Errorf("frame at %d (%s): fence %v, want %v", r.off, r.typ, r.fence, want)
		}
		return nil
	})
	must(t, err)
}

func TestFirstWriteAfterARestartIsAFence(t *testing.T) {
	fsys := vfs.NewMemFS()
	w, err := Create("/wal", nil, memOpts(fsys))
	must(t, err)
	must(t, w.Save(raftpb.HardState{Term: 1}, ents(1, 1, 1)))
	must(t, w.Save(raftpb.HardState{Term: 1, Commit: 1}, nil)) // not fsynced
	must(t, w.CloseWithoutSync())
	w, err = Open("/wal", Snapshot{}, memOpts(fsys))
	must(t, err)
	_, _, _, err = w.ReadAll()
	must(t, err)
	start := w.tailOff
	must(t, w.Save(raftpb.HardState{Term: 1, Commit: 1}, ents(1, 2, 2)))
	name := w.tailName()
	must(t, w.Close())
	buf, err := vfs.ReadFile(fsys, name)
	must(t, err)
	h, _ := parseHeader(buf[start : start+8])
	if !h.fence {
		t.Fatal("the first write after ReadAll carries no fence, though ReadAll fsynced what it read")
	}
}
