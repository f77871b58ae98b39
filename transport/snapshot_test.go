package transport

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"skiff/raft/raftpb"
)

func snapshotMsg(from, to uint64, size int, seed uint64) raftpb.Message {
	data := make([]byte, size)
	rng := rand.New(rand.NewPCG(seed, seed))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	return raftpb.Message{Type: raftpb.MsgInstallSnapshot, From: from, To: to, Term: 3,
		Snapshot: &raftpb.Snapshot{
			Metadata: raftpb.SnapshotMetadata{Index: 1000, Term: 2,
				ConfState: raftpb.ConfState{Voters: []uint64{from, to}}},
			Data: data,
		}}
}

// TestSnapshotIsDeliveredAndReported: an 8 MiB snapshot reaches the peer
// intact over its own endpoint, raft hears it succeeded, and heartbeats
// sent at the same time still arrive.
func TestSnapshotIsDeliveredAndReported(t *testing.T) {
	checkGoroutines(t)
	a, b := startMember(t, 1, "", nil), startMember(t, 2, "", nil)
	connect(a, b)
	snap := snapshotMsg(1, 2, 8<<20, 42)
	a.tr.Send([]raftpb.Message{snap, {Type: raftpb.MsgHeartbeat, From: 1, To: 2, Term: 3}})

	got := b.raft.receive(t, 2)
	var gotSnap *raftpb.Message
	for i := range got {
		if got[i].Type == raftpb.MsgInstallSnapshot {
			gotSnap = &got[i]
		}
	}
	if gotSnap == nil {
		t.Fatalf("no snapshot among %s and %s", describe(&got[0]), describe(&got[1]))
	}
	if gotSnap.Snapshot.Metadata.Index != 1000 || !gotSnap.Snapshot.Metadata.ConfState.Equal(snap.Snapshot.Metadata.ConfState) ||
		!bytes.Equal(gotSnap.Snapshot.Data, snap.Snapshot.Data) {
		t.Fatalf("snapshot arrived changed: metadata %+v, %d bytes", gotSnap.Snapshot.Metadata, len(gotSnap.Snapshot.Data))
	}
	select {
	case r := <-a.raft.snapshots:
		if r.id != 2 || r.failed {
			t.Fatalf("ReportSnapshot(%d, failed=%v), want (2, false)", r.id, r.failed)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("raft was never told the snapshot was sent")
	}
	if s := a.tr.Stats()[2]; s.SnapshotsSent != 1 || s.SnapshotFailures != 0 {
		t.Fatalf("stats: %+v", s)
	}
}

// TestSnapshotToDeadPeerReportsFailure: when the peer cannot be reached,
// raft hears that the snapshot failed.
func TestSnapshotToDeadPeerReportsFailure(t *testing.T) {
	checkGoroutines(t)
	a, b := startMember(t, 1, "", nil), startMember(t, 2, "", nil)
	url := b.url
	b.stop()
	a.tr.AddPeer(2, []string{url})
	a.tr.Send([]raftpb.Message{snapshotMsg(1, 2, 1024, 1)})
	select {
	case r := <-a.raft.snapshots:
		if r.id != 2 || !r.failed {
			t.Fatalf("ReportSnapshot(%d, failed=%v), want (2, true)", r.id, r.failed)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("raft was never told the snapshot failed")
	}
}

// TestOversizedSnapshotIsRefused: a snapshot above MaxSnapshotSize is
// refused by the receiver and reported failed by the sender.
func TestOversizedSnapshotIsRefused(t *testing.T) {
	checkGoroutines(t)
	a := startMember(t, 1, "", nil)
	b := startMember(t, 2, "", func(c *Config) { c.MaxSnapshotSize = 1 << 20 })
	connect(a, b)
	a.tr.Send([]raftpb.Message{snapshotMsg(1, 2, 2<<20, 7)})
	select {
	case r := <-a.raft.snapshots:
		if !r.failed {
			t.Fatal("an oversized snapshot was reported delivered")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("raft was never told the snapshot failed")
	}
	select {
	case m := <-b.raft.msgs:
		t.Fatalf("receiver delivered %s", describe(&m))
	default:
	}
}
