package server

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"skiff/store"
)

func boolPtr(b bool) *bool { return &b }

// sampleCommands covers every kind and every request field.
func sampleCommands() []Command {
	t := time.Unix(1700000000, 123456789)
	return []Command{
		{ID: 1, Kind: CommandRequest, Request: store.Request{Method: store.MethodPut, Namespace: store.Keys, Key: "/foo", Value: "bar", Time: t}},
		{ID: 1<<63 | 7, Kind: CommandRequest, Request: store.Request{Method: store.MethodPut, Namespace: store.Keys, Key: "/dir", Dir: true,
			PrevExist: boolPtr(false), TTL: store.TTL{Set: true, Seconds: 60}, Time: t}},
		{ID: 3, Kind: CommandRequest, Request: store.Request{Method: store.MethodPut, Namespace: store.Keys, Key: "/cas", Value: "new",
			PrevExist: boolPtr(true), PrevValue: "old", PrevIndex: 42, TTL: store.TTL{Set: true, Refresh: true, Seconds: 5}}},
		{ID: 4, Kind: CommandRequest, Request: store.Request{Method: store.MethodPost, Namespace: store.Keys, Key: "/queue", Value: "job"}},
		{ID: 5, Kind: CommandRequest, Request: store.Request{Method: store.MethodDelete, Namespace: store.Auth, Key: "/users/x", Recursive: true, Dir: true}},
		{ID: 6, Kind: CommandRequest, Request: store.Request{Method: store.MethodGet, Namespace: store.Keys, Key: "/q", Sorted: true, Recursive: true}},
		{ID: 7, Kind: CommandSync, Time: t},
		{ID: 8, Kind: CommandSync},
		{ID: 9, Kind: CommandPublish, Member: Attributes{MemberID: 0x77f41cbd71028a3a, Name: "n1", ClientURLs: []string{"http://127.0.0.1:2379", "http://10.0.0.1:2379"}}},
		{ID: 10, Kind: CommandPublish, Member: Attributes{MemberID: 1}},
	}
}

// Every command decodes to what was encoded.
func TestCommandRoundTrip(t *testing.T) {
	for _, c := range sampleCommands() {
		b, err := c.Marshal()
		if err != nil {
			t.Fatalf("%v: %v", c.Kind, err)
		}
		var got Command
		if err := got.Unmarshal(b); err != nil {
			t.Fatalf("%v: %v", c.Kind, err)
		}
		if !commandsEqual(got, c) {
			t.Fatalf("round trip changed the command:\n got %+v\nwant %+v", got, c)
		}
	}
}

// Truncated commands, trailing bytes, unknown kinds, methods and versions
// are refused with ErrMalformed.
func TestCommandUnmarshalRefusesBadInput(t *testing.T) {
	good, _ := (&Command{ID: 1, Kind: CommandRequest, Request: store.Request{Method: store.MethodPut, Key: "/k", Value: "v"}}).Marshal()
	cases := map[string][]byte{
		"empty":          {},
		"bad version":    {9, 1, 1},
		"unknown kind":   {commandVersion, 99, 1},
		"trailing bytes": append(append([]byte{}, good...), 0),
		"bad method":     {commandVersion, byte(CommandRequest), 1, 77, 1, 0, 0, 0, 0, 0, 0},
		"bad namespace":  {commandVersion, byte(CommandRequest), 1, 1, 9, 0, 0, 0, 0, 0, 0},
		"huge string":    {commandVersion, byte(CommandPublish), 1, 1, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"bad sync time":  {commandVersion, byte(CommandSync), 1, 5},
	}
	for i := 1; i < len(good); i++ {
		cases[fmt.Sprintf("truncated to %d bytes", i)] = good[:i]
	}
	for name, b := range cases {
		var c Command
		if err := c.Unmarshal(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", name, err)
		}
	}
}

// Marshal refuses a request method that has no code rather than writing
// something no member could apply.
func TestCommandMarshalRefusesUnknownMethod(t *testing.T) {
	c := Command{Kind: CommandRequest, Request: store.Request{Method: "PATCH"}}
	if _, err := c.Marshal(); err == nil {
		t.Fatal("Marshal accepted method PATCH")
	}
}

// FuzzCommand: decoding never panics, and whatever decodes re-encodes to a
// command that decodes to the same thing.
func FuzzCommand(f *testing.F) {
	for _, c := range sampleCommands() {
		b, _ := c.Marshal()
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var c Command
		if err := c.Unmarshal(data); err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		b, err := c.Marshal()
		if err != nil {
			t.Fatalf("a decoded command does not encode: %v", err)
		}
		var again Command
		if err := again.Unmarshal(b); err != nil {
			t.Fatalf("a re-encoded command does not decode: %v", err)
		}
		if !commandsEqual(again, c) {
			t.Fatalf("re-encoding changed the command:\n got %+v\nwant %+v", again, c)
		}
	})
}

// commandsEqual compares commands, times by instant.
func commandsEqual(a, b Command) bool {
	if !a.Time.Equal(b.Time) || !a.Request.Time.Equal(b.Request.Time) {
		return false
	}
	a.Time, b.Time, a.Request.Time, b.Request.Time = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return reflect.DeepEqual(a, b)
}

// WAL metadata round-trips and refuses garbage.
func TestMetadataRoundTrip(t *testing.T) {
	m := metadata{MemberID: 0x77f41cbd71028a3a, ClusterID: 0x998d851d58177d55, Initial: []initialMember{
		{ID: 1, PeerURLs: []string{"http://127.0.0.1:12380"}}, {ID: 2, PeerURLs: []string{"http://a:1", "http://b:2"}},
	}}
	var got metadata
	if err := got.unmarshal(m.marshal()); err != nil || !reflect.DeepEqual(got, m) {
		t.Fatalf("got %+v, %v; want %+v", got, err, m)
	}
	if err := got.unmarshal([]byte{metadataVersion, 1, 2, 200}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("a member count beyond the input: err = %v", err)
	}
}

// PublishedMember recognises publish commands and nothing else.
func TestPublishedMember(t *testing.T) {
	for _, c := range sampleCommands() {
		b, _ := c.Marshal()
		id, ok := PublishedMember(b)
		if ok != (c.Kind == CommandPublish) || (ok && id != c.Member.MemberID) {
			t.Errorf("%v: PublishedMember = %x, %v", c.Kind, id, ok)
		}
	}
	if _, ok := PublishedMember([]byte("garbage")); ok {
		t.Error("garbage is a publish")
	}
}

// RewriteMetadataIDs replaces the IDs and keeps the initial members.
func TestRewriteMetadataIDs(t *testing.T) {
	m := metadata{MemberID: 1, ClusterID: 2, Initial: []initialMember{{ID: 1, PeerURLs: []string{"http://a:1"}}}}
	out, err := RewriteMetadataIDs(m.marshal(), 7, 8)
	if err != nil {
		t.Fatal(err)
	}
	var got metadata
	if err := got.unmarshal(out); err != nil || got.MemberID != 7 || got.ClusterID != 8 || !reflect.DeepEqual(got.Initial, m.Initial) {
		t.Fatalf("got %+v, %v", got, err)
	}
	if _, err := RewriteMetadataIDs([]byte{9}, 1, 2); !errors.Is(err, ErrMalformed) {
		t.Fatalf("bad metadata: err = %v", err)
	}
}
