package raft

import (
	"errors"
	"testing"

	"skiff/raft/raftpb"
)

// MemoryStorage: CreateSnapshot records the state at an index, Compact then
// drops the entries it covers, ApplySnapshot replaces everything.
func TestMemoryStorageSnapshotAndCompact(t *testing.T) {
	s := NewMemoryStorage()
	s.Append(ents(1, 1, 2, 2, 3))
	cs := raftpb.ConfState{Voters: []uint64{1, 2}}
	if _, err := s.CreateSnapshot(3, nil, nil); err == nil {
		t.Fatal("CreateSnapshot without a configuration succeeded")
	}
	if err := s.Compact(2); err == nil {
		t.Fatal("Compact past the snapshot (there is none) succeeded")
	}
	snap, err := s.CreateSnapshot(3, &cs, []byte("sm"))
	if err != nil || snap.Metadata.Index != 3 || snap.Metadata.Term != 2 || string(snap.Data) != "sm" {
		t.Fatalf("CreateSnapshot(3) = %+v, %v; want index 3 term 2", snap.Metadata, err)
	}
	if _, err := s.CreateSnapshot(2, &cs, nil); !errors.Is(err, ErrSnapOutOfDate) {
		t.Fatalf("an older snapshot: %v, want ErrSnapOutOfDate", err)
	}
	if err := s.Compact(2); err != nil {
		t.Fatal(err)
	}
	first, _ := s.FirstIndex()
	if term, err := s.Term(2); first != 3 || err != nil || term != 1 {
		t.Fatalf("after Compact(2): first=%d Term(2)=%d,%v; want 3 and 1 (the compaction point keeps its term)", first, term, err)
	}
	if _, err := s.Entries(2, 4, noLimit); !errors.Is(err, ErrCompacted) {
		t.Fatalf("Entries below the first index: %v, want ErrCompacted", err)
	}
	if _, _, err := s.InitialState(); err != nil {
		t.Fatal(err)
	}
	in := raftpb.Snapshot{Metadata: raftpb.SnapshotMetadata{Index: 10, Term: 4, ConfState: raftpb.ConfState{Voters: []uint64{1, 2, 3}}}}
	if err := s.ApplySnapshot(in); err != nil {
		t.Fatal(err)
	}
	first, _ = s.FirstIndex()
	last, _ := s.LastIndex()
	_, gotCS, _ := s.InitialState()
	if first != 11 || last != 10 || len(gotCS.Voters) != 3 {
		t.Fatalf("after ApplySnapshot(10): [%d, %d] config %v; want [11, 10] and the snapshot's voters", first, last, gotCS)
	}
}

// The leader sends InstallSnapshot to a follower whose next entry was
// compacted away, and waits in StateSnapshot (thesis ch. 5).
func TestLeaderSendsSnapshotForCompactedEntries(t *testing.T) {
	n, apps := newLeaderOf3(t)
	n.ackAppends(t, filter(apps, raftpb.MsgAppendEntries)[:1]) // node 2 only; node 3 stays at 0
	n.Propose([]byte("a"))
	msgs, _ := n.drain(t)
	n.ackAppends(t, filter(msgs, raftpb.MsgAppendEntries)[:1])
	n.drain(t)
	cs := raftpb.ConfState{Voters: []uint64{1, 2, 3}}
	if _, err := n.storage.CreateSnapshot(2, &cs, []byte("x")); err != nil {
		t.Fatal(err)
	}
	n.storage.Compact(2)
	// Node 3 rejects the probe it got; the leader backs up to index 0.
	n.step(t, raftpb.Message{Type: raftpb.MsgHeartbeatResponse, From: 3, To: 1, Term: n.r.term})
	n.step(t, raftpb.Message{Type: raftpb.MsgAppendEntriesResponse, From: 3, To: 1, Term: n.r.term,
		MatchIndex: n.r.prs.progress[3].Next - 1})
	msgs, _ = n.drain(t)
	snaps := filter(msgs, raftpb.MsgInstallSnapshot)
	if len(snaps) != 1 || snaps[0].Snapshot.Metadata.Index != 2 || n.Status().Progress[3].State != StateSnapshot {
		t.Fatalf("sent %v, progress %v; want one InstallSnapshot at 2 and StateSnapshot", msgs, n.Status().Progress[3])
	}
	n.ReportSnapshot(3, true)
	if pr := n.Status().Progress[3]; pr.State != StateProbe {
		t.Fatalf("after a failed send: %v, want Probe", pr)
	}
}

// Thesis ch. 5: "If existing log entry has same index and term as
// snapshot's last included entry, retain log entries following it";
// otherwise discard the whole log.
func TestFollowerKeepsLogOnlyIfSnapshotMatches(t *testing.T) {
	for _, tc := range []struct {
		name     string
		snapTerm uint64
		wantLast uint64
	}{{"match keeps the tail", 1, 3}, {"conflict drops the log", 2, 2}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newTestNode(t, 2, []uint64{1, 2, 3}, withLog(1, 1, 1))
			snap := raftpb.Snapshot{Metadata: raftpb.SnapshotMetadata{Index: 2, Term: tc.snapTerm,
				ConfState: raftpb.ConfState{Voters: []uint64{1, 2, 3}}}}
			f.step(t, raftpb.Message{Type: raftpb.MsgInstallSnapshot, From: 1, To: 2, Term: 2, Snapshot: &snap})
			rd := f.ready(t)
			if st := f.Status(); st.LastIndex != tc.wantLast || st.Commit != 2 {
				t.Fatalf("last=%d commit=%d, want last %d commit 2", st.LastIndex, st.Commit, tc.wantLast)
			}
			if restored := !rd.Snapshot.IsEmpty(); restored != (tc.wantLast == 2) {
				t.Fatalf("Ready.Snapshot set=%v, want %v", restored, tc.wantLast == 2)
			}
			if resp := filter(rd.Messages, raftpb.MsgAppendEntriesResponse); len(resp) != 1 || !resp[0].Success || resp[0].MatchIndex != 2 {
				t.Fatalf("answer %v, want success matchIndex=2", rd.Messages)
			}
		})
	}
}

// A node restarted over a storage holding a snapshot starts from it: the
// snapshot is committed and applied, and the configuration is its own plus
// the changes the driver applied after it.
func TestRestartFromSnapshotReplaysAppliedConfChanges(t *testing.T) {
	s := NewMemoryStorage()
	s.ApplySnapshot(raftpb.Snapshot{Metadata: raftpb.SnapshotMetadata{Index: 5, Term: 2,
		ConfState: raftpb.ConfState{Voters: []uint64{1, 2, 3}}}})
	cc := raftpb.ConfChange{Type: raftpb.ConfChangeAddLearner, NodeID: 4}
	s.Append([]raftpb.Entry{{Index: 6, Term: 2, Type: raftpb.EntryConfChange, Data: cc.MarshalAppend(nil)}, {Index: 7, Term: 2}})
	s.SetHardState(raftpb.HardState{Term: 2, Commit: 7})
	n, err := New(Config{ID: 1, Storage: s, Applied: 6})
	if err != nil {
		t.Fatal(err)
	}
	st := n.Status()
	if st.Applied != 6 || len(st.Config.Learners) != 1 || st.Config.Learners[0] != 4 {
		t.Fatalf("restarted with applied=%d config %+v; want applied 6 and learner 4", st.Applied, st.Config)
	}
	if rd := n.Ready(); len(rd.CommittedEntries) != 1 || rd.CommittedEntries[0].Index != 7 {
		t.Fatalf("handed out %v, want only entry 7", rd.CommittedEntries)
	}
}

// A crash between writing a received snapshot and the hard state of the
// same Ready leaves a hard state older than the snapshot; the snapshot is
// committed by definition, so raft starts with its index committed.
func TestRestartWithHardStateOlderThanSnapshot(t *testing.T) {
	s := NewMemoryStorage()
	s.ApplySnapshot(raftpb.Snapshot{Metadata: raftpb.SnapshotMetadata{Index: 5, Term: 2,
		ConfState: raftpb.ConfState{Voters: []uint64{1, 2, 3}}}})
	s.SetHardState(raftpb.HardState{Term: 2, Commit: 3})
	n, err := New(Config{ID: 1, Storage: s})
	if err != nil {
		t.Fatal(err)
	}
	if st := n.Status(); st.Commit != 5 || st.Applied != 5 {
		t.Fatalf("commit %d applied %d, want 5 and 5", st.Commit, st.Applied)
	}
}
