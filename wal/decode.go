package wal

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"

	"skiff/wal/vfs"
)

// record is one decoded record. data aliases the segment's buffer.
type record struct {
	typ   recordType
	fence bool // the frame carries the fence
	data  []byte
	off   int64
}

// chain is the running CRC across records and segments. known is false
// until the first record is read: a reader that starts at a segment other
// than the first learns the running CRC from that segment's CRC record.
type chain struct {
	crc   uint32
	known bool
}

// tornError is returned by scanSegment when the last segment ends in a
// record that a crash can explain: the log ends just before it.
type tornError struct {
	off    int64
	reason string
}

func (e *tornError) Error() string {
	return fmt.Sprintf("torn record at offset %d: %s", e.off, e.reason)
}

// scanSegment decodes the frames of one segment (the whole file in buf) and
// passes each valid record to fn, in order. It returns the offset just past
// the last valid record.
//
// The rules (docs/storage.md explains them):
//   - a header word of zeros ends the last segment, unless a fence follows
//     it (endOfData); in any other segment it is corruption,
//     because a segment is cut to its exact length before the next one is
//     created;
//   - in the last segment only, a record that runs past the end of the
//     file, or fails its CRC with a sector of zeros and no fence after it
//     (tornTail), is a torn write: scanSegment stops there with a
//     *tornError;
//   - everything else that fails a check is a *CorruptError.
func scanSegment(name string, buf []byte, c *chain, last bool, fn func(record) error) (int64, error) {
	off := 0
	for off < len(buf) {
		if len(buf)-off < 8 || allZero(buf[off:off+8]) {
			if err := endOfData(name, buf, off, last); err != nil {
				return int64(off), err
			}
			break
		}
		rec, next, err := decodeFrame(name, buf, off, c, last)
		if torn, ok := err.(*tornError); ok && off == 0 {
			// A segment is renamed into place only after its first
			// records are durable, so a crash cannot tear them.
			return 0, corruptAt(name, 0, "the segment's first record is damaged: "+torn.reason)
		}
		if err != nil {
			return int64(off), err
		}
		if off == 0 && rec.typ != crcType {
			return 0, corruptAt(name, 0, fmt.Sprintf("segment starts with a %s record, not a crc record", rec.typ))
		}
		if err := fn(rec); err != nil {
			return int64(off), err
		}
		off = next
	}
	if off == 0 {
		return 0, corruptAt(name, 0, "segment holds no records")
	}
	return int64(off), nil
}

// endOfData decides what a header word of zeros (or fewer than 8 bytes
// left) at off means: the end of the log, a torn write, or corruption.
func endOfData(name string, buf []byte, off int, last bool) error {
	switch {
	case !last:
		return corruptAt(name, off, "zeros or a cut header where a record must be (segments are cut to their exact length)")
	case !allZero(buf[off:min(off+8, len(buf))]):
		return &tornError{off: int64(off), reason: "the file ends inside a header"}
	case fencedAfter(buf, off+8):
		// A write began after an fsync that covered what should be here:
		// it was acknowledged, and the disk lost it.
		return corruptAt(name, off, "zeros where a record must be, followed by records written after an fsync: the disk lost acknowledged data")
	}
	return nil
}

// decodeFrame decodes the frame at off and advances the chain.
func decodeFrame(name string, buf []byte, off int, c *chain, last bool) (record, int, error) {
	h, bad := parseHeader(buf[off : off+8])
	if bad != "" {
		return record{}, 0, corruptAt(name, off, bad)
	}
	end := off + frameSize(h.n)
	if end > len(buf) {
		if last {
			return record{}, 0, &tornError{off: int64(off), reason: "the record runs past the end of the file"}
		}
		return record{}, 0, corruptAt(name, off, fmt.Sprintf("a %d-byte record runs past the end of the file", h.n))
	}
	data := buf[off+headerSize : off+headerSize+h.n]
	if h.typ == crcType && len(data) != 4 {
		return record{}, 0, corruptAt(name, off, fmt.Sprintf("a crc record with %d bytes of data, want 4", len(data)))
	}
	prev := c.crc
	if h.typ == crcType {
		carried := binary.LittleEndian.Uint32(data)
		if c.known && carried != c.crc {
			return record{}, 0, corruptAt(name, off, fmt.Sprintf("the segment carries CRC %08x but the previous segment ended with %08x: a segment is missing or was cut short", carried, c.crc))
		}
		prev = carried
	}
	crc := crc32.Update(prev, crcTable, buf[off:off+8])
	crc = crc32.Update(crc, crcTable, data)
	if want := binary.LittleEndian.Uint32(buf[off+8 : off+12]); crc != want {
		if last && tornTail(buf, off, end) {
			return record{}, 0, &tornError{off: int64(off), reason: "CRC mismatch in the last write, with a sector of zeros"}
		}
		return record{}, 0, corruptAt(name, off, fmt.Sprintf("CRC mismatch on a %s record (stored %08x, computed %08x)", h.typ, want, crc))
	}
	if !allZero(buf[off+headerSize+h.n : end]) {
		return record{}, 0, corruptAt(name, off, "non-zero padding")
	}
	c.crc, c.known = crc, true
	return record{typ: h.typ, fence: h.fence, data: data, off: int64(off)}, end, nil
}

// tornTail reports whether the damaged frame at [off, end) in the last
// segment is what a crash leaves of a write it cut short, rather than
// damage to acknowledged data (Protocol-Aware Recovery, FAST 2018: only the
// former may be cut away):
//  1. the damage looks like a tear: a 512-byte sector that starts inside
//     the frame reads as zeros (up to the end of the file, if that comes
//     first): a sector the write never put on disk, since preallocated
//     space reads as zeros. A flipped bit does not look like that;
//  2. no fence follows (fencedAfter): no write began after an fsync that
//     covered this frame, so it may never have been acknowledged.
//
// Sectors after the tear may have reached the disk (a write's sectors land
// in any order), so what follows the frame need not be zeros.
func tornTail(buf []byte, off, end int) bool {
	return hasZeroSector(buf, off, end) && !fencedAfter(buf, end)
}

// hasZeroSector reports whether a sector starting inside (off, end) reads
// as zeros, or reaches the end of buf as zeros.
func hasZeroSector(buf []byte, off, end int) bool {
	for x := (off/vfs.SectorSize + 1) * vfs.SectorSize; x < end && x < len(buf); x += vfs.SectorSize {
		if allZero(buf[x:min(x+vfs.SectorSize, len(buf))]) {
			return true
		}
	}
	return false
}

// fencedAfter reports whether a fenced frame starts at an 8-aligned offset
// from from on: proof that everything before it was fsynced, and so may
// have been acknowledged. After damage, frame boundaries are unknown, so it
// looks at every aligned word: a word of entry data that happens to look
// like a fenced header can only turn a verdict to "corrupt", the safe side.
func fencedAfter(buf []byte, from int) bool {
	for off := from; off+8 <= len(buf); off += frameAlign {
		if w := buf[off : off+8]; w[4]&fenceMark != 0 {
			if _, bad := parseHeader(w); bad == "" {
				return true
			}
		}
	}
	return false
}

func corruptAt(name string, off int, reason string) error {
	return &CorruptError{File: name, Offset: int64(off), Reason: reason}
}

func allZero(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b) != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// countEntryFrames counts the entry frames in buf by following the lengths
// in their headers, without checking anything: an estimate for sizing, exact
// for a healthy segment and never more than len(buf)/headerSize.
func countEntryFrames(buf []byte) int {
	n := 0
	for off := 0; off+8 <= len(buf); {
		word := buf[off : off+8]
		size := frameSize(int(binary.LittleEndian.Uint32(word[0:4])))
		if allZero(word) || off+size > len(buf) {
			break
		}
		if recordType(word[4]) == entryType {
			n++
		}
		off += size
	}
	return n
}
