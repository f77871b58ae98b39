package raftpb

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// fullMessage returns a message in which every field has a non-zero value, so
// that a round trip proves each field is encoded.
func fullMessage() Message {
	return Message{
		Type: MsgAppendEntries, To: 2, From: 1, Term: 7,
		LastLogIndex: 11, LastLogTerm: 6,
		PrevLogIndex: 300, PrevLogTerm: 5,
		Entries: []Entry{
			{Term: 7, Index: 301, Type: EntryNormal, Data: []byte("x=1")},
			{Term: 7, Index: 302, Type: EntryConfChange, Data: []byte{0, 1, 2}},
		},
		LeaderCommit: 299, Success: true, MatchIndex: 1 << 40,
		ConflictIndex: 17, ConflictTerm: 3,
		Snapshot: &Snapshot{
			Metadata: SnapshotMetadata{Index: 99, Term: 4, ConfState: ConfState{Voters: []uint64{1, 2, 3}, Learners: []uint64{9}}},
			Data:     []byte("state"),
		},
		Context: []byte("read-42"), ReadIndex: 298, Transfer: true,
	}
}

func TestFullMessageSetsEveryField(t *testing.T) {
	// If a field is added to Message without being added here and to the
	// codec, this test fails and points at it.
	v := reflect.ValueOf(fullMessage())
	for i := 0; i < v.NumField(); i++ {
		if v.Field(i).IsZero() {
			t.Errorf("fullMessage leaves Message.%s zero; set it and encode it", v.Type().Field(i).Name)
		}
	}
}

func TestMessageRoundTrip(t *testing.T) {
	for _, m := range []Message{fullMessage(), {}, {Type: MsgHeartbeat, To: 3, From: 1, Term: 2, Context: []byte{}}} {
		b := m.MarshalAppend(nil)
		if len(b) > m.Size() {
			t.Errorf("Size() = %d, encoding has %d bytes", m.Size(), len(b))
		}
		var got Message
		if err := got.Unmarshal(b); err != nil {
			t.Fatalf("Unmarshal: %v", err)
		}
		if len(m.Context) == 0 {
			m.Context = nil // empty and nil decode alike
		}
		if !reflect.DeepEqual(got, m) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, m)
		}
	}
}

func TestEntryHardStateConfChangeRoundTrip(t *testing.T) {
	e := Entry{Term: 1 << 63, Index: 12345, Type: EntryConfChange, Data: bytes.Repeat([]byte{7}, 300)}
	b := e.MarshalAppend(nil)
	if len(b) != e.Size() {
		t.Errorf("Entry.Size() = %d, encoding has %d bytes", e.Size(), len(b))
	}
	var e2 Entry
	if err := e2.Unmarshal(b); err != nil || !reflect.DeepEqual(e, e2) {
		t.Errorf("entry round trip: %v %+v", err, e2)
	}

	h := HardState{Term: 5, Vote: 3, Commit: 99}
	var h2 HardState
	if err := h2.Unmarshal(h.MarshalAppend(nil)); err != nil || h2 != h {
		t.Errorf("hard state round trip: %v %+v", err, h2)
	}

	c := ConfChange{ID: 77, Type: ConfChangeAddLearner, NodeID: 0xfeedface, Context: []byte(`{"peerURLs":["http://a"]}`)}
	var c2 ConfChange
	if err := c2.Unmarshal(c.MarshalAppend(nil)); err != nil || !reflect.DeepEqual(c, c2) {
		t.Errorf("conf change round trip: %v %+v", err, c2)
	}

	s := Snapshot{Metadata: SnapshotMetadata{Index: 10, Term: 2, ConfState: ConfState{Voters: []uint64{1}}}, Data: []byte("d")}
	var s2 Snapshot
	if err := s2.Unmarshal(s.MarshalAppend(nil)); err != nil || !reflect.DeepEqual(s, s2) {
		t.Errorf("snapshot round trip: %v %+v", err, s2)
	}
}

func TestDecodeRejectsTruncationAndTrailingBytes(t *testing.T) {
	m := fullMessage()
	b := m.MarshalAppend(nil)
	for n := 0; n < len(b); n++ {
		var got Message
		if err := got.Unmarshal(b[:n]); !errors.Is(err, ErrMalformed) {
			t.Fatalf("prefix of %d/%d bytes: err = %v, want ErrMalformed", n, len(b), err)
		}
	}
	var got Message
	if err := got.Unmarshal(append(b, 0)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("trailing byte: err = %v, want ErrMalformed", err)
	}
}

func TestDecodeRejectsHugeCounts(t *testing.T) {
	// A list count far beyond the input must be refused before allocating.
	b := []byte{byte(MsgAppendEntries)}
	for i := 0; i < 12; i++ {
		b = append(b, 0)
	}
	b = append(b, 0)                                                    // flags
	b = append(b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f) // entry count
	var m Message
	if err := m.Unmarshal(b); !errors.Is(err, ErrMalformed) {
		t.Fatalf("err = %v, want ErrMalformed", err)
	}
}

// FuzzRaftMessage checks that decoding arbitrary bytes never panics and that
// whatever decodes re-encodes to bytes that decode to the same message.
func FuzzRaftMessage(f *testing.F) {
	full := fullMessage()
	f.Add(full.MarshalAppend(nil))
	hb := Message{Type: MsgHeartbeat, To: 2, From: 1, Term: 3, LeaderCommit: 10}
	f.Add(hb.MarshalAppend(nil))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var m Message
		if err := m.Unmarshal(b); err != nil {
			return
		}
		again := m.MarshalAppend(nil)
		var m2 Message
		if err := m2.Unmarshal(again); err != nil {
			t.Fatalf("re-encoded message does not decode: %v", err)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("decode(encode(m)) != m:\n%+v\n%+v", m, m2)
		}
	})
}
