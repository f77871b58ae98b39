package raftpb

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The encoding is compact and hand-written: unsigned integers are varints
// (encoding/binary's uvarint), byte strings are a varint length followed by
// the bytes, lists are a varint count followed by the items. There are no
// field tags: the field order below is the format, and changing it is a
// format change.
//
// Decoding never panics and never allocates more than the input can justify:
// every length is checked against the bytes that remain. Decoded byte slices
// (Entry.Data, Snapshot.Data, Message.Context, ConfChange.Context) alias the
// input buffer; a caller that reuses the buffer must copy them.

// ErrMalformed is returned (wrapped) when bytes cannot be decoded.
var ErrMalformed = errors.New("raftpb: malformed encoding")

// MarshalAppend appends the encoding of e to b.
func (e *Entry) MarshalAppend(b []byte) []byte {
	b = binary.AppendUvarint(b, e.Term)
	b = binary.AppendUvarint(b, e.Index)
	b = append(b, byte(e.Type))
	return appendBytes(b, e.Data)
}

// Size is the length of e's encoding.
func (e *Entry) Size() int {
	return uvarintLen(e.Term) + uvarintLen(e.Index) + 1 + bytesLen(e.Data)
}

// Unmarshal decodes an entry that fills all of b.
func (e *Entry) Unmarshal(b []byte) error {
	d := decoder{buf: b}
	d.entry(e)
	return d.finish("entry")
}

// MarshalAppend appends the encoding of h to b.
func (h *HardState) MarshalAppend(b []byte) []byte {
	b = binary.AppendUvarint(b, h.Term)
	b = binary.AppendUvarint(b, h.Vote)
	return binary.AppendUvarint(b, h.Commit)
}

// Unmarshal decodes a hard state that fills all of b.
func (h *HardState) Unmarshal(b []byte) error {
	d := decoder{buf: b}
	d.hardState(h)
	return d.finish("hard state")
}

// MarshalAppend appends the encoding of c to b.
func (c *ConfState) MarshalAppend(b []byte) []byte {
	b = appendIDs(b, c.Voters)
	return appendIDs(b, c.Learners)
}

// Unmarshal decodes a configuration that fills all of b.
func (c *ConfState) Unmarshal(b []byte) error {
	d := decoder{buf: b}
	d.confState(c)
	return d.finish("conf state")
}

// MarshalAppend appends the encoding of m to b.
func (m *SnapshotMetadata) MarshalAppend(b []byte) []byte {
	b = binary.AppendUvarint(b, m.Index)
	b = binary.AppendUvarint(b, m.Term)
	return m.ConfState.MarshalAppend(b)
}

// Unmarshal decodes snapshot metadata that fills all of b.
func (m *SnapshotMetadata) Unmarshal(b []byte) error {
	d := decoder{buf: b}
	d.snapshotMetadata(m)
	return d.finish("snapshot metadata")
}

// MarshalAppend appends the encoding of s to b.
func (s *Snapshot) MarshalAppend(b []byte) []byte {
	b = s.Metadata.MarshalAppend(b)
	return appendBytes(b, s.Data)
}

// Unmarshal decodes a snapshot that fills all of b.
func (s *Snapshot) Unmarshal(b []byte) error {
	d := decoder{buf: b}
	d.snapshot(s)
	return d.finish("snapshot")
}

// MarshalAppend appends the encoding of c to b.
func (c *ConfChange) MarshalAppend(b []byte) []byte {
	b = binary.AppendUvarint(b, c.ID)
	b = append(b, byte(c.Type))
	b = binary.AppendUvarint(b, c.NodeID)
	return appendBytes(b, c.Context)
}

// Unmarshal decodes a configuration change that fills all of b.
func (c *ConfChange) Unmarshal(b []byte) error {
	d := decoder{buf: b}
	c.ID = d.uvarint()
	c.Type = ConfChangeType(d.byte())
	c.NodeID = d.uvarint()
	c.Context = d.bytes()
	return d.finish("conf change")
}

// Message flag bits.
const (
	flagSuccess  = 1 << 0
	flagTransfer = 1 << 1
	flagSnapshot = 1 << 2
)

// MarshalAppend appends the encoding of m to b.
func (m *Message) MarshalAppend(b []byte) []byte {
	b = append(b, byte(m.Type))
	for _, v := range [...]uint64{m.To, m.From, m.Term, m.LastLogIndex, m.LastLogTerm,
		m.PrevLogIndex, m.PrevLogTerm, m.LeaderCommit, m.MatchIndex,
		m.ConflictIndex, m.ConflictTerm, m.ReadIndex} {
		b = binary.AppendUvarint(b, v)
	}
	var flags byte
	if m.Success {
		flags |= flagSuccess
	}
	if m.Transfer {
		flags |= flagTransfer
	}
	if m.Snapshot != nil {
		flags |= flagSnapshot
	}
	b = append(b, flags)
	b = binary.AppendUvarint(b, uint64(len(m.Entries)))
	for i := range m.Entries {
		b = m.Entries[i].MarshalAppend(b)
	}
	if m.Snapshot != nil {
		b = m.Snapshot.MarshalAppend(b)
	}
	return appendBytes(b, m.Context)
}

// Size is the length of m's encoding, an upper bound used to size buffers.
func (m *Message) Size() int {
	n := 1 + 12*binary.MaxVarintLen64 + 1 + binary.MaxVarintLen64 + bytesLen(m.Context)
	for i := range m.Entries {
		n += m.Entries[i].Size()
	}
	if m.Snapshot != nil {
		n += 3*binary.MaxVarintLen64 + 8*(len(m.Snapshot.Metadata.ConfState.Voters)+
			len(m.Snapshot.Metadata.ConfState.Learners)+2) + bytesLen(m.Snapshot.Data)
	}
	return n
}

// Unmarshal decodes a message that fills all of b.
func (m *Message) Unmarshal(b []byte) error {
	d := decoder{buf: b}
	m.Type = MessageType(d.byte())
	for _, p := range [...]*uint64{&m.To, &m.From, &m.Term, &m.LastLogIndex, &m.LastLogTerm,
		&m.PrevLogIndex, &m.PrevLogTerm, &m.LeaderCommit, &m.MatchIndex,
		&m.ConflictIndex, &m.ConflictTerm, &m.ReadIndex} {
		*p = d.uvarint()
	}
	flags := d.byte()
	m.Success = flags&flagSuccess != 0
	m.Transfer = flags&flagTransfer != 0
	// Every encoded entry takes at least 4 bytes, which bounds the count.
	if n := d.count(4); n > 0 {
		m.Entries = make([]Entry, n)
		for i := range m.Entries {
			d.entry(&m.Entries[i])
		}
	} else {
		m.Entries = nil
	}
	m.Snapshot = nil
	if flags&flagSnapshot != 0 {
		m.Snapshot = new(Snapshot)
		d.snapshot(m.Snapshot)
	}
	m.Context = d.bytes()
	if d.err == nil && flags&^(flagSuccess|flagTransfer|flagSnapshot) != 0 {
		d.fail("unknown message flags %#x", flags)
	}
	return d.finish("message")
}

func appendBytes(b, data []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(data)))
	return append(b, data...)
}

func appendIDs(b []byte, ids []uint64) []byte {
	b = binary.AppendUvarint(b, uint64(len(ids)))
	for _, id := range ids {
		b = binary.AppendUvarint(b, id)
	}
	return b
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

func bytesLen(data []byte) int { return uvarintLen(uint64(len(data))) + len(data) }

// decoder reads the encoding with a sticky error: after the first problem
// every read returns zero values, and finish reports the problem.
type decoder struct {
	buf []byte
	off int
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
	}
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf[d.off:])
	if n <= 0 {
		d.fail("bad varint at offset %d", d.off)
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.buf) {
		d.fail("truncated at offset %d", d.off)
		return 0
	}
	c := d.buf[d.off]
	d.off++
	return c
}

// count reads a list length and checks that the remaining input could hold
// that many items of at least minItem bytes each.
func (d *decoder) count(minItem int) int {
	n := d.uvarint()
	if d.err != nil {
		return 0
	}
	if n > uint64(len(d.buf)-d.off)/uint64(minItem) {
		d.fail("list of %d items does not fit in %d bytes", n, len(d.buf)-d.off)
		return 0
	}
	return int(n)
}

func (d *decoder) bytes() []byte {
	n := d.count(1)
	if d.err != nil || n == 0 {
		return nil
	}
	b := d.buf[d.off : d.off+n : d.off+n]
	d.off += n
	return b
}

func (d *decoder) ids() []uint64 {
	n := d.count(1)
	if d.err != nil || n == 0 {
		return nil
	}
	ids := make([]uint64, n)
	for i := range ids {
		ids[i] = d.uvarint()
	}
	return ids
}

func (d *decoder) entry(e *Entry) {
	e.Term = d.uvarint()
	e.Index = d.uvarint()
	e.Type = EntryType(d.byte())
	e.Data = d.bytes()
}

func (d *decoder) hardState(h *HardState) {
	h.Term = d.uvarint()
	h.Vote = d.uvarint()
	h.Commit = d.uvarint()
}

func (d *decoder) confState(c *ConfState) {
	c.Voters = d.ids()
	c.Learners = d.ids()
}

func (d *decoder) snapshotMetadata(m *SnapshotMetadata) {
	m.Index = d.uvarint()
	m.Term = d.uvarint()
	d.confState(&m.ConfState)
}

func (d *decoder) snapshot(s *Snapshot) {
	d.snapshotMetadata(&s.Metadata)
	s.Data = d.bytes()
}

func (d *decoder) finish(what string) error {
	if d.err == nil && d.off != len(d.buf) {
		d.fail("%d trailing bytes after %s", len(d.buf)-d.off, what)
	}
	if d.err != nil {
		return fmt.Errorf("decoding %s: %w", what, d.err)
	}
	return nil
}
