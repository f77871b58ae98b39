package wal

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// A record is the unit of the log. On disk it is a frame:
//
//	offset 0   uint32  n, the length of the data
//	offset 4   uint8   type in the low 7 bits; the top bit is the fence:
//	                   this frame starts a write that began after an fsync
//	                   covering every earlier frame had returned
//	offset 5   uint8   pad, the number of zero bytes after the data
//	offset 6   uint16  header check: a checksum of bytes 0–5
//	offset 8   uint32  CRC-32C of bytes 0–7 and the data, chained: it
//	                   starts from the previous record's CRC
//	offset 12  data    n bytes
//	           pad     0–7 zero bytes, so that every frame starts at a
//	                   multiple of 8
//
// All integers are little-endian. The header word (the first 8 bytes) is
// 8-aligned, so it never spans a 512-byte sector boundary and a crash
// cannot tear it: it reads back whole or as zeros. The header check
// makes the length trustworthy before the data is read, so that a flipped
// bit in a length is reported as corruption and never mistaken for a torn
// write. A header word of zeros marks the end of the data: segments are
// preallocated with zeros.
//
// Fences tell the reader what was acknowledged: every frame before a fence
// was fsynced, and so possibly acknowledged, before the fenced frame was
// written. The reader uses them to tell a write the crash tore (no fence
// after it) from acknowledged data that the disk lost.
type recordType uint8

const (
	metadataType recordType = 1 // the server's metadata (member and cluster IDs)
	entryType    recordType = 2 // a raftpb.Entry
	stateType    recordType = 3 // a raftpb.HardState
	crcType      recordType = 4 // the running CRC carried into a new segment
	snapshotType recordType = 5 // a snapshot marker: Snapshot, 16 bytes
)

func (t recordType) String() string {
	switch t {
	case metadataType:
		return "metadata"
	case entryType:
		return "entry"
	case stateType:
		return "hard state"
	case crcType:
		return "crc"
	case snapshotType:
		return "snapshot"
	}
	return fmt.Sprintf("recordType(%d)", uint8(t))
}

// fenceMark is the top bit of the type byte; see the frame layout.
const fenceMark = 0x80

const (
	headerSize = 12
	frameAlign = 8
	// MaxRecordSize bounds the data of one record (an entry's encoding).
	MaxRecordSize = 1 << 28
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

func padFor(n int) int { return -(headerSize + n) & (frameAlign - 1) }

func frameSize(n int) int { return headerSize + n + padFor(n) }

func headerCheck(b []byte) uint16 {
	c := crc32.Checksum(b[:6], crcTable)
	return uint16(c) ^ uint16(c>>16)
}

// header is a decoded header word.
type header struct {
	n     int
	typ   recordType
	pad   int
	fence bool // the frame carries the fence
}

// parseHeader checks a non-zero header word and returns why it is invalid.
func parseHeader(w []byte) (header, string) {
	h := header{
		n:     int(binary.LittleEndian.Uint32(w[0:4])),
		typ:   recordType(w[4] &^ fenceMark),
		pad:   int(w[5]),
		fence: w[4]&fenceMark != 0,
	}
	switch {
	case binary.LittleEndian.Uint16(w[6:8]) != headerCheck(w):
		return h, "header checksum mismatch"
	case h.typ < metadataType || h.typ > snapshotType:
		return h, fmt.Sprintf("unknown record type %d", h.typ)
	case h.n > MaxRecordSize:
		return h, fmt.Sprintf("record length %d exceeds the maximum %d", h.n, MaxRecordSize)
	case h.pad != padFor(h.n):
		return h, fmt.Sprintf("padding %d does not fit length %d", h.pad, h.n)
	}
	return h, ""
}

// encoder appends frames to buf, carrying the CRC chain.
type encoder struct {
	buf []byte
	crc uint32
	// fence puts the fence on the next frame (then clears itself): set it
	// before encoding a write that follows a successful fsync.
	fence bool
}

// begin reserves room for a header and returns where the frame starts.
func (e *encoder) begin() int {
	start := len(e.buf)
	e.buf = append(e.buf, make([]byte, headerSize)...)
	return start
}

// finish completes the frame begun at start, whose data has been appended.
func (e *encoder) finish(start int, typ recordType) {
	n := len(e.buf) - start - headerSize
	w := e.buf[start : start+8]
	binary.LittleEndian.PutUint32(w[0:4], uint32(n))
	w[4] = byte(typ)
	if e.fence {
		w[4] |= fenceMark
		e.fence = false
	}
	w[5] = byte(padFor(n))
	binary.LittleEndian.PutUint16(w[6:8], headerCheck(w))
	crc := crc32.Update(e.crc, crcTable, w)
	crc = crc32.Update(crc, crcTable, e.buf[start+headerSize:])
	binary.LittleEndian.PutUint32(e.buf[start+8:start+12], crc)
	e.crc = crc
	for range padFor(n) {
		e.buf = append(e.buf, 0)
	}
}

// add appends a frame holding data.
func (e *encoder) add(typ recordType, data []byte) {
	start := e.begin()
	e.buf = append(e.buf, data...)
	e.finish(start, typ)
}

// addCRC appends the record that starts every segment: it carries the
// running CRC, so that a reader can check that segments follow each other.
func (e *encoder) addCRC() {
	e.add(crcType, binary.LittleEndian.AppendUint32(nil, e.crc))
}
