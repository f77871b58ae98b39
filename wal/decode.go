package wal

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"

	"skiff/wal/vfs"
)

// record is one decoded record. data aliases the segment's buffer.
type record struct {
	typ  recordType
	data []byte
	off  int64
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
//   - a header word of zeros ends the last segment; in any other segment it
//     is corruption, because a segment is cut to its exact length before
//     the next one is created;
//   - in the last segment only, a record that runs past the end of the file,
//     or fails its CRC while everything from a sector boundary inside it to
//     the end of the file is zero, is a torn write: scanSegment stops there
//     with a *tornError;
//   - everything else that fails a check is a *CorruptError.
func scanSegment(name string, buf []byte, c *chain, last bool, fn func(record) error) (int64, error) {
	off := 0
	for off < len(buf) {
		if len(buf)-off < 8 || allZero(buf[off:off+8]) {
			if last && allZero(buf[off:min(off+8, len(buf))]) {
				break
			}
			if last {
				return int64(off), &tornError{off: int64(off), reason: "the file ends inside a header"}
			}
			return int64(off), corruptAt(name, off, "zeros or a cut header where a record must be (segments are cut to their exact length)")
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
			return record{}, 0, &tornError{off: int64(off), reason: "CRC mismatch with a zero-filled tail"}
		}
		return record{}, 0, corruptAt(name, off, fmt.Sprintf("CRC mismatch on a %s record (stored %08x, computed %08x)", h.typ, want, crc))
	}
	if !allZero(buf[off+headerSize+h.n : end]) {
		return record{}, 0, corruptAt(name, off, "non-zero padding")
	}
	c.crc, c.known = crc, true
	return record{typ: h.typ, data: data, off: int64(off)}, end, nil
}

// tornTail reports whether the record at [off, end) looks like a write that
// a crash cut short: from some sector boundary inside the record to the end
// of the file, every byte is zero. Preallocated space reads as zeros, so
// this is what a write that reached the disk only in part leaves behind.
func tornTail(buf []byte, off, end int) bool {
	z := len(buf) // z: the start of the run of zeros that ends the file
	for z > off && buf[z-1] == 0 {
		z--
	}
	x := max(off+1, z)
	x = (x + vfs.SectorSize - 1) / vfs.SectorSize * vfs.SectorSize
	return x < end
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
