package server

import (
	"fmt"
	"path/filepath"
	"testing"

	"skiff/raft/raftpb"
)

func snapFiles(t *testing.T, dataDir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dataDir, "member", "snap", "*.snap"))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// With --snapshot-count 20 a member writes snapshot files as it applies, and
// a restart recovers from the newest snapshot plus the WAL after it.
func TestSnapshotAndRestart(t *testing.T) {
	c := newTestCluster(t, 1, "--snapshot-count", "20")
	for i := range 100 {
		c.put(0, fmt.Sprintf("/s/%d", i%30), fmt.Sprint(i))
	}
	if len(snapFiles(t, c.members[0].dir)) == 0 {
		t.Fatal("no snapshot file after 100 writes with --snapshot-count 20")
	}
	before := c.dumpDir(0, "/s")
	snapIndex := c.members[0].s.SnapshotIndex()
	c.members[0].s.Stop()
	c.start(0)
	if got := c.members[0].s.SnapshotIndex(); got != snapIndex || got == 0 {
		t.Fatalf("restarted from snapshot %d, want the newest, %d", got, snapIndex)
	}
	c.waitLeader()
	if after := c.dumpDir(0, "/s"); after != before {
		t.Fatalf("after a restart from a snapshot the keys differ:\nbefore %s\nafter  %s", before, after)
	}
	c.put(0, "/s/after", "x")
}

// A follower that was down while the leader compacted its log past the
// follower's last entry catches up by receiving a snapshot.
func TestFollowerBehindCompactionCatchesUpBySnapshot(t *testing.T) {
	c2 := newTestClusterWith(t, 3, Options{SnapshotCatchUpEntries: 5}, "--snapshot-count", "20")
	lead := c2.waitLeader()
	f := (lead + 1) % 3
	c2.members[f].s.Stop()
	var last uint64
	for i := range 120 {
		last = c2.put(lead, fmt.Sprintf("/b/%d", i), fmt.Sprint(i)).Node.ModifiedIndex
	}
	c2.start(f)
	c2.waitStoreIndex(last)
	c2.waitSameStores()
	if c2.members[f].s.SnapshotsInstalled() == 0 || len(snapFiles(t, c2.members[f].dir)) == 0 {
		t.Fatal("the follower caught up without a snapshot; the test did not exercise InstallSnapshot")
	}
	// And it restarts from the snapshot it received.
	c2.members[f].s.Stop()
	c2.start(f)
	c2.waitLeader()
	c2.waitSameStores()
}

// A hard state older than the snapshot (a crash between the snapshot's WAL
// marker and the Ready's hard state) is lifted to the snapshot.
func TestAtLeastSnapshot(t *testing.T) {
	md := raftpb.SnapshotMetadata{Index: 50, Term: 4}
	got := atLeastSnapshot(raftpb.HardState{Term: 3, Vote: 2, Commit: 40}, md)
	if want := (raftpb.HardState{Term: 4, Vote: 0, Commit: 50}); got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	newer := raftpb.HardState{Term: 6, Vote: 1, Commit: 70}
	if got := atLeastSnapshot(newer, md); got != newer {
		t.Fatalf("a newer hard state changed: %+v", got)
	}
}
