package cluster_test

import (
	"fmt"
	"testing"
	"time"

	"skiff/tests/cluster"
)

// While a follower's raft loop is paused for several election timeouts, the
// other two keep serving writes; when it resumes it catches up from the
// messages that waited for it, and a quorum read through it sees the last
// write. A member that is down cannot be paused.
func TestPausedFollowerCatchesUp(t *testing.T) {
	c := cluster.New(t, cluster.Config{Size: 3})
	lead := c.WaitLeader()
	f := (lead + 1) % 3
	// Four of the harness's 500ms election timeouts.
	if !c.Pause(f, 2*time.Second) {
		t.Fatalf("m%d: Pause refused on a running member", f+1)
	}
	var last uint64
	for i := range 20 {
		last = put(t, c.MemberClient(lead), "/paused", fmt.Sprint(i)).Node.ModifiedIndex
	}
	// The read waits for the follower's loop, which resumes by itself.
	mustRead(t, c.MemberClient(f), "/paused", "19")
	c.WaitStoreIndex(last)
	c.WaitConverged()

	c.Kill(f)
	if c.Pause(f, time.Second) {
		t.Fatalf("m%d: Pause accepted on a member that is down", f+1)
	}
}
