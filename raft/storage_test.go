package raft

import (
	"errors"
	"testing"

	"skiff/raft/raftpb"
)

func TestMemoryStorageAppendAndRead(t *testing.T) {
	s := NewMemoryStorage()
	if err := s.Append(ents(1, 1, 2)); err != nil {
		t.Fatal(err)
	}
	if first, _ := s.FirstIndex(); first != 1 {
		t.Fatalf("first index %d, want 1", first)
	}
	if last, _ := s.LastIndex(); last != 3 {
		t.Fatalf("last index %d, want 3", last)
	}
	if term, err := s.Term(3); err != nil || term != 2 {
		t.Fatalf("Term(3) = %d, %v; want 2", term, err)
	}
	if _, err := s.Term(4); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Term(4) error %v, want ErrUnavailable", err)
	}
	if _, err := s.Entries(2, 5, noLimit); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Entries past the end: %v, want ErrUnavailable", err)
	}
	if _, err := s.Entries(0, 2, noLimit); !errors.Is(err, ErrCompacted) {
		t.Fatalf("Entries from 0: %v, want ErrCompacted", err)
	}
	if err := s.Append([]raftpb.Entry{{Index: 9, Term: 2}}); err == nil {
		t.Fatal("Append with a gap succeeded")
	}
}

// An append that overlaps replaces the suffix from its first index and
// never writes into a slice handed out earlier.
func TestMemoryStorageAppendReplacesSuffixWithoutClobbering(t *testing.T) {
	s := NewMemoryStorage()
	s.Append(ents(1, 1, 1, 1))
	held, _ := s.Entries(1, 5, noLimit)
	s.Append([]raftpb.Entry{{Index: 3, Term: 2}})
	if last, _ := s.LastIndex(); last != 3 {
		t.Fatalf("last index %d after replacing from 3, want 3", last)
	}
	if term, _ := s.Term(3); term != 2 {
		t.Fatalf("entry 3 has term %d, want 2", term)
	}
	if held[2].Term != 1 || len(held) != 4 {
		t.Fatalf("a slice handed out before the replacement changed: %v", held)
	}
}

func TestMemoryStorageEntriesRespectsMaxSize(t *testing.T) {
	s := NewMemoryStorage()
	big := make([]byte, 100)
	var es []raftpb.Entry
	for i := uint64(1); i <= 5; i++ {
		es = append(es, raftpb.Entry{Index: i, Term: 1, Data: big})
	}
	s.Append(es)
	one := uint64(es[0].Size())
	for _, tt := range []struct {
		max  uint64
		want int
	}{{0, 1}, {one, 1}, {2*one + 1, 2}, {noLimit, 5}} {
		got, err := s.Entries(1, 6, tt.max)
		if err != nil || len(got) != tt.want {
			t.Errorf("Entries(maxSize=%d) = %d entries, %v; want %d", tt.max, len(got), err, tt.want)
		}
	}
}

func TestMemoryStorageBootstrapNeedsFreshStorage(t *testing.T) {
	s := NewMemoryStorage()
	if err := s.Bootstrap(raftpb.ConfState{}); err == nil {
		t.Fatal("Bootstrap with no voters succeeded")
	}
	s.Append(ents(1))
	if err := s.Bootstrap(raftpb.ConfState{Voters: []uint64{1}}); err == nil {
		t.Fatal("Bootstrap on a storage with entries succeeded")
	}
}

// The log reads across the boundary between stored and unstable entries.
func TestLogSliceSpansStorageAndUnstable(t *testing.T) {
	s := NewMemoryStorage()
	s.Append(ents(1, 1, 1))
	l, err := newLog(s)
	if err != nil {
		t.Fatal(err)
	}
	l.append([]raftpb.Entry{{Index: 4, Term: 2}, {Index: 5, Term: 2}})
	got, err := l.slice(2, 6, noLimit)
	if err != nil || len(got) != 4 || got[0].Index != 2 || got[3].Index != 5 {
		t.Fatalf("slice(2, 6) = %v, %v", got, err)
	}
	if l.lastIndex() != 5 || l.stableLastIndex() != 3 || l.lastTerm() != 2 {
		t.Fatalf("last=%d stableLast=%d lastTerm=%d", l.lastIndex(), l.stableLastIndex(), l.lastTerm())
	}
	// A conflict inside the stored part: stored entries past it no longer
	// count as stable.
	l.append([]raftpb.Entry{{Index: 3, Term: 3}})
	if l.lastIndex() != 3 || l.stableLastIndex() != 2 {
		t.Fatalf("after replacing 3: last=%d stableLast=%d, want 3 and 2", l.lastIndex(), l.stableLastIndex())
	}
	if term, _ := l.term(3); term != 3 {
		t.Fatalf("term(3)=%d, want 3", term)
	}
}

// stableTo ignores an acknowledgement for an entry that was replaced after
// it was handed out (same index, other term).
func TestUnstableStableToIgnoresReplacedEntry(t *testing.T) {
	u := unstable{offset: 1}
	u.truncateAndAppend(ents(1, 1))
	u.markHandedOut()
	u.truncateAndAppend([]raftpb.Entry{{Index: 2, Term: 2}})
	u.stableTo(2, 1)
	if len(u.entries) != 2 {
		t.Fatalf("stableTo for a replaced entry dropped entries: %v", u.entries)
	}
	if u.handedOut != 1 || len(u.notHandedOut()) != 1 {
		t.Fatalf("handedOut=%d, want only the unreplaced entry 1 counted as handed out", u.handedOut)
	}
	u.stableTo(2, 2)
	if len(u.entries) != 0 || u.offset != 3 {
		t.Fatalf("after stableTo(2, 2): entries=%v offset=%d", u.entries, u.offset)
	}
}

func TestFindConflictByTerm(t *testing.T) {
	s := NewMemoryStorage()
	s.Append(ents(1, 1, 2, 2, 5, 5, 5))
	l, _ := newLog(s)
	for _, tt := range []struct{ index, term, wantIndex, wantTerm uint64 }{
		{7, 5, 7, 5}, {7, 4, 4, 2}, {7, 1, 2, 1}, {3, 9, 3, 2}, {7, 0, 0, 0},
	} {
		i, term := l.findConflictByTerm(tt.index, tt.term)
		if i != tt.wantIndex || term != tt.wantTerm {
			t.Errorf("findConflictByTerm(%d, %d) = (%d, %d), want (%d, %d)", tt.index, tt.term, i, term, tt.wantIndex, tt.wantTerm)
		}
	}
}

func TestDescribeMessage(t *testing.T) {
	for _, tt := range []struct {
		m    raftpb.Message
		want string
	}{
		{raftpb.Message{Type: raftpb.MsgAppendEntries, From: 1, To: 2, Term: 3, PrevLogIndex: 4, PrevLogTerm: 2, LeaderCommit: 4,
			Entries: []raftpb.Entry{{Term: 3, Index: 5, Data: []byte("x=1")}}},
			`1->2 AppendEntries term=3 prevLogIndex=4 prevLogTerm=2 leaderCommit=4 entries=[3/5 "x=1"]`},
		{raftpb.Message{Type: raftpb.MsgAppendEntriesResponse, From: 2, To: 1, Term: 3, MatchIndex: 9, ConflictIndex: 4, ConflictTerm: 2},
			`2->1 AppendEntriesResponse term=3 reject prevLogIndex=9 conflictIndex=4 conflictTerm=2`},
		{raftpb.Message{Type: raftpb.MsgRequestVoteResponse, From: 2, To: 1, Term: 3, Success: true},
			`2->1 RequestVoteResponse term=3 voteGranted`},
	} {
		if got := DescribeMessage(tt.m); got != tt.want {
			t.Errorf("DescribeMessage =\n  %s\nwant\n  %s", got, tt.want)
		}
	}
}
