package raft

import (
	"math/rand/v2"
	"testing"

	"skiff/raft/raftpb"
)

// testNode is a Node over a MemoryStorage with a driver that persists every
// Ready before acknowledging it.
type testNode struct {
	*Node
	storage *MemoryStorage
}

func newTestNode(t testing.TB, id uint64, voters []uint64, mods ...func(*Config)) *testNode {
	t.Helper()
	s := NewMemoryStorage()
	if err := s.Bootstrap(raftpb.ConfState{Voters: voters}); err != nil {
		t.Fatal(err)
	}
	cfg := Config{ID: id, ElectionTick: 10, HeartbeatTick: 1, Storage: s,
		DisablePreVote: true, DisableCheckQuorum: true, Rand: rand.New(rand.NewPCG(id, 1))}
	for _, m := range mods {
		m(&cfg)
	}
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &testNode{Node: n, storage: s}
}

func withPreVote(c *Config)     { c.DisablePreVote = false }
func withCheckQuorum(c *Config) { c.DisableCheckQuorum = false }

// ready handles one Ready: persist, then Advance. It returns the Ready.
func (tn *testNode) ready(t testing.TB) Ready {
	t.Helper()
	rd := tn.Ready()
	if err := tn.storage.Append(rd.Entries); err != nil {
		t.Fatal(err)
	}
	if !rd.HardState.IsEmpty() {
		tn.storage.SetHardState(rd.HardState)
	}
	rd.Messages = append([]raftpb.Message(nil), rd.Messages...)
	tn.Advance()
	return rd
}

// msgs handles Ready until there is none and returns every message sent.
func (tn *testNode) msgs(t testing.TB) []raftpb.Message {
	t.Helper()
	var out []raftpb.Message
	for tn.HasReady() {
		out = append(out, tn.ready(t).Messages...)
	}
	return out
}

// step feeds m and fails the test on error.
func (tn *testNode) step(t testing.TB, m raftpb.Message) {
	t.Helper()
	if err := tn.Step(m); err != nil {
		t.Fatalf("Step(%s): %v", DescribeMessage(m), err)
	}
}

// ticks ticks n times.
func (tn *testNode) ticks(n int) {
	for i := 0; i < n; i++ {
		tn.Tick()
	}
}

// becomeLeaderByVotes makes tn campaign and win with votes from the others
// (PreVote must be off), then drains its messages.
func (tn *testNode) becomeLeaderByVotes(t testing.TB) {
	t.Helper()
	if err := tn.Campaign(); err != nil {
		t.Fatal(err)
	}
	term := tn.r.term
	for _, id := range tn.r.prs.voters {
		if id != tn.r.id {
			tn.step(t, raftpb.Message{Type: raftpb.MsgRequestVoteResponse, From: id, To: tn.r.id, Term: term, Success: true})
		}
	}
	if tn.r.role != RoleLeader {
		t.Fatalf("node %d is %s after winning all votes", tn.r.id, tn.r.role)
	}
	tn.msgs(t)
}

// ents builds entries with the given terms at indexes 1, 2, ...
func ents(terms ...uint64) []raftpb.Entry {
	out := make([]raftpb.Entry, len(terms))
	for i, term := range terms {
		out[i] = raftpb.Entry{Index: uint64(i + 1), Term: term}
	}
	return out
}

// withLog returns a Config mod that preloads storage with entries of the
// given terms and a hard state at the last term.
func withLog(terms ...uint64) func(*Config) {
	return func(c *Config) {
		s := c.Storage.(*MemoryStorage)
		s.Append(ents(terms...))
		if len(terms) > 0 {
			s.SetHardState(raftpb.HardState{Term: terms[len(terms)-1]})
		}
	}
}

func filter(ms []raftpb.Message, typ raftpb.MessageType) []raftpb.Message {
	var out []raftpb.Message
	for _, m := range ms {
		if m.Type == typ {
			out = append(out, m)
		}
	}
	return out
}
