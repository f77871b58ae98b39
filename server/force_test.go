package server

import (
	"fmt"
	"testing"
)

// --force-new-cluster on one surviving data dir of a three-member cluster
// makes a one-member cluster with all the data, which accepts writes alone
// and lists only itself.
func TestForceNewClusterKeepsDataAsOneMember(t *testing.T) {
	c := newTestCluster(t, 3)
	var last uint64
	for i := range 10 {
		last = c.put(i%3, fmt.Sprintf("/f/%d", i), fmt.Sprint(i)).Node.ModifiedIndex
	}
	c.waitStoreIndex(last)
	c.stopAll()

	// Only m1 comes back, forced. The others stay down.
	c.extra = append(c.extra, "--force-new-cluster")
	c.start(0)
	c.members[1].s, c.members[2].s = nil, nil
	if i := c.waitLeader(); i != 0 {
		t.Fatalf("leader is %d, want the forced member", i)
	}
	for i := range 10 {
		if v, ok := c.get(0, fmt.Sprintf("/f/%d", i)); !ok || v != fmt.Sprint(i) {
			t.Fatalf("/f/%d = %q, %v after forcing a new cluster", i, v, ok)
		}
	}
	c.put(0, "/f/alone", "yes")
	waitFor(t, "only the forced member is listed", func() bool {
		ms := c.members[0].s.Members()
		return len(ms) == 1 && ms[0].ID == c.members[0].s.ID() && ms[0].Name == "m1"
	})
	if st := c.members[0].s.RaftStatus(); len(st.Config.Voters) != 1 {
		t.Fatalf("raft's configuration is %v, want this member alone", st.Config.Voters)
	}

	// A later restart without the flag stays a one-member cluster: the
	// forced start recorded the configuration in a snapshot.
	c.members[0].s.Stop()
	c.extra = c.extra[:len(c.extra)-1]
	c.start(0)
	if i := c.waitLeader(); i != 0 {
		t.Fatalf("after a normal restart the leader is %d", i)
	}
	if v, _ := c.get(0, "/f/alone"); v != "yes" {
		t.Fatalf("/f/alone = %q after a normal restart", v)
	}
	c.put(0, "/f/again", "yes")
}
