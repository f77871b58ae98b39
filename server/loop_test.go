package server

import (
	"testing"

	"skiff/raft"
	"skiff/raft/raftpb"
	"skiff/server/config"
)

// soloLeader is a Server whose raft node is the elected leader of a
// one-member cluster on memory storage, driven by hand: enough to watch what
// the loop feeds raft, without a WAL or a transport.
func soloLeader(t *testing.T) (*Server, *raft.MemoryStorage) {
	t.Helper()
	s := newServer(&config.Config{}, Options{})
	storage := raft.NewMemoryStorage()
	if err := storage.Bootstrap(raftpb.ConfState{Voters: []uint64{1}}); err != nil {
		t.Fatal(err)
	}
	node, err := raft.New(raft.Config{ID: 1, ElectionTick: 10, HeartbeatTick: 1, Storage: storage})
	if err != nil {
		t.Fatal(err)
	}
	s.node = node
	for i := 0; node.Status().Role != raft.RoleLeader; i++ {
		if i > 100 {
			t.Fatal("the single member never became leader")
		}
		node.Tick()
		for node.HasReady() {
			rd := node.Ready()
			if !rd.HardState.IsEmpty() {
				_ = storage.SetHardState(rd.HardState)
			}
			_ = storage.Append(rd.Entries)
			node.Advance()
		}
	}
	return s, storage
}

// What waits for the loop when it turns over (a peer's message, proposals)
// is all given to raft before the next Ready, so one WAL write and one fsync
// cover it.
func TestDrainInputsFeedsEverythingWaitingIntoOneReady(t *testing.T) {
	s, _ := soloLeader(t)
	s.recvc <- raftpb.Message{Type: raftpb.MsgHeartbeatResponse, From: 2, To: 1, Term: 1}
	for i := range 3 {
		s.propc <- proposal{data: []byte{byte(i)}, id: uint64(i + 1)}
	}
	s.drainInputs()
	if len(s.recvc) != 0 || len(s.propc) != 0 {
		t.Fatalf("%d messages and %d proposals still wait after the drain", len(s.recvc), len(s.propc))
	}
	if !s.node.HasReady() {
		t.Fatal("no Ready after three proposals")
	}
	if rd := s.node.Ready(); len(rd.Entries) != 3 {
		t.Fatalf("the Ready holds %d entries, want the 3 proposals", len(rd.Entries))
	}
}
