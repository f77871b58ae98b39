package server

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The server's binary encoding (used by command.go and metadata.go) follows
// raftpb's: unsigned integers are uvarints, signed ones varints, strings a
// uvarint length and the bytes, lists a uvarint count and the items. There
// are no field tags; the order of the fields is the format, and a version
// byte at the front lets a later format be told apart.

// ErrMalformed is returned (wrapped) when bytes cannot be decoded as a
// command or WAL metadata.
var ErrMalformed = errors.New("server: malformed encoding")

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendStrings(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = appendString(b, s)
	}
	return b
}

// decoder reads the encoding from buf. The first failure is kept in err and
// every later read returns a zero value, so decoding functions read all
// their fields and check err once at the end.
type decoder struct {
	buf []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: bad or truncated %s", ErrMalformed, what)
	}
}

func (d *decoder) byte(what string) byte {
	if d.err != nil || len(d.buf) == 0 {
		d.fail(what)
		return 0
	}
	c := d.buf[0]
	d.buf = d.buf[1:]
	return c
}

func (d *decoder) uvarint(what string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.fail(what)
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) varint(what string) int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.buf)
	if n <= 0 {
		d.fail(what)
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) string(what string) string {
	n := d.uvarint(what)
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.buf)) {
		d.fail(what)
		return ""
	}
	s := string(d.buf[:n])
	d.buf = d.buf[n:]
	return s
}

// strings reads a list of strings. The count is checked against the bytes
// left (every string takes at least one byte) before anything is allocated.
func (d *decoder) strings(what string) []string {
	n := d.uvarint(what)
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.buf)) {
		d.fail(what)
		return nil
	}
	if n == 0 {
		return nil
	}
	ss := make([]string, 0, n)
	for i := uint64(0); i < n && d.err == nil; i++ {
		ss = append(ss, d.string(what))
	}
	return ss
}

// finish reports the first error, or trailing bytes that no field claimed.
func (d *decoder) finish(what string) error {
	if d.err != nil {
		return d.err
	}
	if len(d.buf) != 0 {
		return fmt.Errorf("%w: %d trailing bytes after the %s", ErrMalformed, len(d.buf), what)
	}
	return nil
}
