package server

import (
	"encoding/binary"
	"fmt"
	"time"

	"skiff/store"
)

// CommandKind says what a raft command asks every member to do when it is
// applied.
type CommandKind uint8

const (
	// CommandRequest carries a v2 keys request (PUT, POST, DELETE, or a
	// quorum GET) to apply to the store.
	CommandRequest CommandKind = 1
	// CommandSync is the leader's TTL sweep (contract §1.10): every member
	// applies store.DeleteExpiredKeys(Time).
	CommandSync CommandKind = 2
	// CommandPublish records a member's attributes (name and client URLs)
	// under /0/members/<id>/attributes, as etcd's publish does (contract §8
	// step 4), so /v2/members shows them.
	CommandPublish CommandKind = 3
)

// String names the kind, as logs show it.
func (k CommandKind) String() string {
	switch k {
	case CommandRequest:
		return "Request"
	case CommandSync:
		return "Sync"
	case CommandPublish:
		return "Publish"
	}
	return fmt.Sprintf("CommandKind(%d)", uint8(k))
}

// Attributes are what a member publishes about itself through raft.
type Attributes struct {
	MemberID   uint64
	Name       string
	ClientURLs []string
}

// Command is the data of one normal raft entry. ID identifies the request on
// the member that proposed it, which waits for the entry's result under that
// ID (wait.go); IDs embed the member ID, so no two members use the same one.
type Command struct {
	ID      uint64
	Kind    CommandKind
	Request store.Request // CommandRequest
	Time    time.Time     // CommandSync: the leader's clock
	Member  Attributes    // CommandPublish
}

// commandVersion is the first byte of every encoded command.
const commandVersion = 1

// The methods a CommandRequest may carry, as one byte each: the index in
// methodNames (0 is no method). A table and a loop, not maps, since every
// write encodes one on the leader and decodes one on every member.
var methodNames = [...]string{1: store.MethodPut, 2: store.MethodPost, 3: store.MethodDelete, 4: store.MethodGet}

// methodCode is the byte for a method, and false for one without a code.
func methodCode(method string) (byte, bool) {
	for code, name := range methodNames {
		if code != 0 && name == method {
			return byte(code), true
		}
	}
	return 0, false
}

// The flag bits of an encoded request.
const (
	flagDir = 1 << iota
	flagPrevExistSet
	flagPrevExist
	flagRecursive
	flagSorted
	flagTTLSet
	flagTTLRefresh
	flagTimeSet
)

// Marshal encodes c. It fails only for a request whose method has no code
// (a programming error upstream: the API layer sends only known methods).
func (c *Command) Marshal() ([]byte, error) {
	b := make([]byte, 0, 32+len(c.Request.Key)+len(c.Request.Value)+len(c.Request.PrevValue))
	b = append(b, commandVersion, byte(c.Kind))
	b = binary.AppendUvarint(b, c.ID)
	switch c.Kind {
	case CommandRequest:
		return appendRequest(b, &c.Request)
	case CommandSync:
		return appendTime(b, c.Time), nil
	case CommandPublish:
		b = binary.AppendUvarint(b, c.Member.MemberID)
		b = appendString(b, c.Member.Name)
		return appendStrings(b, c.Member.ClientURLs), nil
	}
	return nil, fmt.Errorf("server: cannot encode a command of kind %v", c.Kind)
}

func appendRequest(b []byte, r *store.Request) ([]byte, error) {
	code, ok := methodCode(r.Method)
	if !ok {
		return nil, fmt.Errorf("server: cannot encode a request with method %q", r.Method)
	}
	var flags byte
	set := func(cond bool, bit byte) {
		if cond {
			flags |= bit
		}
	}
	set(r.Dir, flagDir)
	set(r.PrevExist != nil, flagPrevExistSet)
	set(r.PrevExist != nil && *r.PrevExist, flagPrevExist)
	set(r.Recursive, flagRecursive)
	set(r.Sorted, flagSorted)
	set(r.TTL.Set, flagTTLSet)
	set(r.TTL.Refresh, flagTTLRefresh)
	set(!r.Time.IsZero(), flagTimeSet)
	b = append(b, code, byte(r.Namespace), flags)
	b = appendString(b, r.Key)
	b = appendString(b, r.Value)
	b = appendString(b, r.PrevValue)
	b = binary.AppendUvarint(b, r.PrevIndex)
	b = binary.AppendUvarint(b, r.TTL.Seconds)
	if !r.Time.IsZero() {
		b = binary.AppendVarint(b, r.Time.UnixNano())
	}
	return b, nil
}

// appendTime encodes t as Unix nanoseconds; the zero time (which has no
// Unix nanosecond value) is written as a single 0 flag byte.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	b = append(b, 1)
	return binary.AppendVarint(b, t.UnixNano())
}

// Unmarshal decodes a command made by Marshal. It never panics: any other
// input gives an error wrapping ErrMalformed.
func (c *Command) Unmarshal(data []byte) error {
	d := decoder{buf: data}
	if v := d.byte("command version"); d.err == nil && v != commandVersion {
		return fmt.Errorf("%w: command version %d, this skiff reads version %d", ErrMalformed, v, commandVersion)
	}
	*c = Command{Kind: CommandKind(d.byte("command kind"))}
	c.ID = d.uvarint("command ID")
	switch c.Kind {
	case CommandRequest:
		d.request(&c.Request)
	case CommandSync:
		c.Time = d.time("sync time")
	case CommandPublish:
		c.Member.MemberID = d.uvarint("member ID")
		c.Member.Name = d.string("member name")
		c.Member.ClientURLs = d.strings("client URLs")
	default:
		if d.err == nil {
			return fmt.Errorf("%w: unknown command kind %d", ErrMalformed, c.Kind)
		}
	}
	return d.finish("command")
}

func (d *decoder) request(r *store.Request) {
	code := d.byte("method")
	if d.err == nil && (code == 0 || int(code) >= len(methodNames)) {
		d.fail("method")
		code = 0
	}
	r.Method = methodNames[code]
	r.Namespace = store.Namespace(d.byte("namespace"))
	if d.err == nil && r.Namespace > store.Auth {
		d.fail("namespace")
	}
	flags := d.byte("request flags")
	r.Key = d.string("key")
	r.Value = d.string("value")
	r.PrevValue = d.string("prevValue")
	r.PrevIndex = d.uvarint("prevIndex")
	r.TTL.Seconds = d.uvarint("ttl")
	r.Dir = flags&flagDir != 0
	if flags&flagPrevExistSet != 0 {
		v := flags&flagPrevExist != 0
		r.PrevExist = &v
	}
	r.Recursive = flags&flagRecursive != 0
	r.Sorted = flags&flagSorted != 0
	r.TTL.Set = flags&flagTTLSet != 0
	r.TTL.Refresh = flags&flagTTLRefresh != 0
	if flags&flagTimeSet != 0 {
		r.Time = time.Unix(0, d.varint("request time"))
	}
}

func (d *decoder) time(what string) time.Time {
	switch d.byte(what) {
	case 0:
		return time.Time{}
	case 1:
		return time.Unix(0, d.varint(what))
	}
	d.fail(what)
	return time.Time{}
}

// PublishedMember reports whether data (a normal entry's data) is a member
// publishing its attributes, and which member. skiffctl backup drops these
// entries, as etcdctl backup drops the attribute updates (contract §9).
func PublishedMember(data []byte) (memberID uint64, ok bool) {
	var c Command
	if c.Unmarshal(data) != nil || c.Kind != CommandPublish {
		return 0, false
	}
	return c.Member.MemberID, true
}
