package v2http

import (
	"encoding/json"
	"io"
	"strconv"
	"sync"
	"unicode/utf8"

	"skiff/store"
)

// Events are the body of every successful keys response and of every watch
// line, so they are encoded by hand rather than by encoding/json's reflection
// (a tenth of the leader's CPU under writes). The output is byte for byte what
// json.NewEncoder(w).Encode(ev) writes; TestEventJSONMatchesEncodingJSON and
// FuzzEventJSON hold it to that. The rules copied from encoding/json:
//
//  1. Fields in declaration order of store.Event and store.NodeExtern, under
//     their json tag names; Event's EtcdIndex, Refresh and ns are never shown.
//  2. omitempty: a nil pointer, false, 0, "" and an empty slice are left out;
//     Event.Action has no omitempty and is always written.
//  3. Strings are escaped with HTML escaping on (the Encoder's default): <, >
//     and & as \u003c, \u003e, \u0026, U+2028 and U+2029 as \u2028 and
//     \u2029, control bytes as \b \f \n \r \t or \u00XX, and each byte of
//     invalid UTF-8 as \ufffd.
//  4. An expiration is time.Time's MarshalJSON: RFC 3339 with nanoseconds,
//     and an error (nothing written) for a year outside 0–9999. appendEvent
//     reports that case and the caller falls back to encoding/json, so even
//     the failure is the same.
//  5. A nil entry in Nodes is null; the whole event ends with "\n".

// eventBufs recycles the encoding buffers. A buffer that grew past
// maxPooledEventBuf (a large value or a recursive get) is dropped instead, so
// the pool does not pin big arrays.
var eventBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

const maxPooledEventBuf = 64 << 10

// encodeEvent writes ev as one JSON line, as json.NewEncoder(w).Encode(ev)
// does, with one Write.
func encodeEvent(w io.Writer, ev *store.Event) error {
	bp := eventBufs.Get().(*[]byte)
	b, ok := appendEvent((*bp)[:0], ev)
	var err error
	if ok {
		_, err = w.Write(b)
	} else {
		err = json.NewEncoder(w).Encode(ev)
	}
	if cap(b) <= maxPooledEventBuf {
		*bp = b[:0]
		eventBufs.Put(bp)
	}
	return err
}

// appendEvent appends ev's JSON line to b. ok is false when encoding/json
// would fail (rule 4); b is then to be discarded.
func appendEvent(b []byte, ev *store.Event) (_ []byte, ok bool) {
	b = append(b, `{"action":`...)
	b = appendJSONString(b, ev.Action)
	if ev.Node != nil {
		b = append(b, `,"node":`...)
		if b, ok = appendNode(b, ev.Node); !ok {
			return b, false
		}
	}
	if ev.PrevNode != nil {
		b = append(b, `,"prevNode":`...)
		if b, ok = appendNode(b, ev.PrevNode); !ok {
			return b, false
		}
	}
	return append(b, '}', '\n'), true
}

// appendNode appends n as a JSON object (rules 1, 2 and 5).
func appendNode(b []byte, n *store.NodeExtern) (_ []byte, ok bool) {
	if n == nil {
		return append(b, "null"...), true
	}
	b = append(b, '{')
	open := len(b) // no comma before the first field
	field := func(b []byte, name string) []byte {
		if len(b) > open {
			b = append(b, ',')
		}
		return append(b, name...)
	}
	if n.Key != "" {
		b = field(b, `"key":`)
		b = appendJSONString(b, n.Key)
	}
	if n.Value != nil {
		b = field(b, `"value":`)
		b = appendJSONString(b, *n.Value)
	}
	if n.Dir {
		b = field(b, `"dir":true`)
	}
	if n.Expiration != nil {
		b = field(b, `"expiration":"`)
		t, err := n.Expiration.AppendText(b)
		if err != nil {
			return b, false
		}
		b = append(t, '"')
	}
	if n.TTL != 0 {
		b = field(b, `"ttl":`)
		b = strconv.AppendInt(b, n.TTL, 10)
	}
	if len(n.Nodes) > 0 {
		b = field(b, `"nodes":[`)
		for i, c := range n.Nodes {
			if i > 0 {
				b = append(b, ',')
			}
			if b, ok = appendNode(b, c); !ok {
				return b, false
			}
		}
		b = append(b, ']')
	}
	if n.ModifiedIndex != 0 {
		b = field(b, `"modifiedIndex":`)
		b = strconv.AppendUint(b, n.ModifiedIndex, 10)
	}
	if n.CreatedIndex != 0 {
		b = field(b, `"createdIndex":`)
		b = strconv.AppendUint(b, n.CreatedIndex, 10)
	}
	return append(b, '}'), true
}

// appendJSONString appends s quoted and escaped as encoding/json does with
// HTML escaping on (rule 3); it follows encoding/json's appendString.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if htmlSafe(c) {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default: // other control bytes, and <, > and &
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// htmlSafe reports whether encoding/json writes the ASCII byte c as it is
// with HTML escaping on. It is a table lookup: appendJSONString asks it of
// every byte of every key and value.
func htmlSafe(c byte) bool { return htmlSafeASCII[c] }

// htmlSafeASCII has 256 entries, false past ASCII, so that indexing it with
// any byte needs no bounds check.
var htmlSafeASCII = func() (t [256]bool) {
	for c := range utf8.RuneSelf {
		t[c] = c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()
