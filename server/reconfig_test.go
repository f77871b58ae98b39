package server

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"skiff/server/membership"
	"skiff/server/v2http"
)

// Removing a follower commits a configuration change: the removed member
// stops itself, the others keep serving writes as a two-member cluster, and a
// second removal of the same ID is refused as already removed.
func TestRemoveMemberStopsItAndClusterGoesOn(t *testing.T) {
	c := newTestCluster(t, 3)
	lead := c.waitLeader()
	victim := (lead + 1) % 3
	id := c.members[victim].s.ID()
	// Every member answers the leader, so the strict reconfiguration check
	// counts them active.
	c.waitStoreIndex(c.put(lead, "/before-remove", "ok").Node.ModifiedIndex)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.members[lead].s.RemoveMember(ctx, id); err != nil {
		t.Fatalf("RemoveMember: %v", err)
	}
	select {
	case <-c.members[victim].s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the removed member did not stop")
	}
	if c.members[victim].s.Err() == nil {
		t.Fatal("the removed member stopped without saying why")
	}
	c.members[victim].s = nil
	c.put(lead, "/after-remove", "ok")
	other := 3 - lead - victim
	c.put(other, "/after-remove-2", "ok")
	for _, i := range []int{lead, other} {
		if ms := c.members[i].s.Members(); len(ms) != 2 {
			t.Fatalf("%s lists %d members after the removal", c.members[i].name, len(ms))
		}
	}
	if err := c.members[lead].s.RemoveMember(ctx, id); !errors.Is(err, v2http.ErrMemberRemoved) {
		t.Fatalf("second removal: err = %v, want ErrMemberRemoved", err)
	}
	if err := c.members[lead].s.RemoveMember(ctx, membership.ID(12345)); !errors.Is(err, v2http.ErrMemberNotFound) {
		t.Fatalf("removing an unknown ID: err = %v, want ErrMemberNotFound", err)
	}
}

// Adding a member records it unstarted (no name, no client URLs) on every
// member; a peer URL already in use is refused; an update replaces the URLs.
func TestAddAndUpdateMember(t *testing.T) {
	c := newTestCluster(t, 3, "--strict-reconfig-check=false")
	lead := c.waitLeader()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s := c.members[(lead+1)%3].s // through a follower: forwarded to the leader
	m, err := s.AddMember(ctx, []string{"http://127.0.0.1:1"})
	if err != nil {
		t.Fatalf("AddMember: %v", err)
	}
	waitFor(t, "every member lists the new one, unstarted", func() bool {
		for _, tm := range c.members {
			got, ok := tm.s.Member(uint64(m.ID))
			if !ok || got.Name != "" || len(got.ClientURLs) != 0 {
				return false
			}
		}
		return true
	})
	if _, err := s.AddMember(ctx, []string{"http://127.0.0.1:1"}); !errors.Is(err, v2http.ErrPeerURLExists) {
		t.Fatalf("adding a used peer URL: err = %v, want ErrPeerURLExists", err)
	}
	if err := s.UpdateMember(ctx, m.ID, []string{"http://127.0.0.1:2"}); err != nil {
		t.Fatalf("UpdateMember: %v", err)
	}
	got, _ := s.Member(uint64(m.ID))
	if len(got.PeerURLs) != 1 || got.PeerURLs[0] != "http://127.0.0.1:2" {
		t.Fatalf("after the update the member has peer URLs %v", got.PeerURLs)
	}
	// Four voters, one never started: three still make a quorum.
	c.put(lead, "/after-add", "ok")
}

// With --strict-reconfig-check (the default), counting voters only: adding
// a member to a cluster of one is accepted, because it joins as a learner
// that no quorum needs, and the cluster keeps taking writes although the new
// member never starts; removing an active voter of three while another is
// down is refused, since it would leave one active voter of two.
func TestStrictReconfigCheckCountsOnlyVoters(t *testing.T) {
	one := newTestCluster(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := one.members[0].s.AddMember(ctx, []string{"http://127.0.0.1:1"}); err != nil {
		t.Fatalf("adding a learner to a cluster of one: %v", err)
	}
	one.put(0, "/after-add", "ok")
	if got := one.members[0].s.RaftStatus().Config; len(got.Voters) != 1 || len(got.Learners) != 1 {
		t.Fatalf("configuration %v, want one voter and one learner", got)
	}

	c := newTestCluster(t, 3)
	lead := c.waitLeader()
	down := (lead + 1) % 3
	downID := uint64(c.members[down].s.ID())
	c.members[down].s.Kill()
	c.members[down].s = nil
	waitFor(t, "the leader no longer counts the killed member active", func() bool {
		return !c.members[lead].s.RaftStatus().Progress[downID].Active
	})
	other := 3 - lead - down
	if err := c.members[lead].s.RemoveMember(ctx, c.members[other].s.ID()); !errors.Is(err, v2http.ErrReconfigRefused) {
		t.Fatalf("unsafe removal: err = %v, want ErrReconfigRefused", err)
	}
}

// A leader stopped gracefully hands leadership over first: when Stop
// returns, another member already leads.
func TestGracefulStopOfLeaderTransfersLeadership(t *testing.T) {
	c := newTestCluster(t, 3)
	lead := c.waitLeader()
	c.put(lead, "/x", "1")
	old := c.members[lead].s.ID()
	c.members[lead].s.Stop()
	c.members[lead].s = nil
	newLead := -1
	for i, m := range c.members {
		if m.s != nil && m.s.IsLeader() {
			newLead = i
		}
	}
	if newLead < 0 {
		t.Fatal("no member leads right after the leader's graceful stop: leadership was not handed over")
	}
	if c.members[newLead].s.ID() == old {
		t.Fatal("the stopped member still leads")
	}
}

// A member added at runtime joins with --initial-cluster-state existing: it
// adopts its ID and the cluster ID from the others, receives the state in a
// snapshot, publishes its name, and takes part in replication.
func TestAddedMemberJoinsWithExistingState(t *testing.T) {
	c := newTestCluster(t, 3)
	lead := c.waitLeader()
	for i := range 10 {
		c.put(i%3, fmt.Sprintf("/j/%d", i), fmt.Sprint(i))
	}
	j, added := c.proposeJoiner(t, lead)
	c.start(j)
	if c.members[j].s.ID() != added.ID || c.members[j].s.ClusterID() != c.members[0].s.ClusterID() {
		t.Fatalf("joined as %s in cluster %s, want %s in %s", c.members[j].s.ID(), c.members[j].s.ClusterID(), added.ID, c.members[0].s.ClusterID())
	}
	ev := c.put(j, "/j/from-new", "yes") // through the new member
	c.waitStoreIndex(ev.Node.ModifiedIndex)
	c.waitSameStores()
	waitFor(t, "the new member has published its name", func() bool {
		m, ok := c.members[lead].s.Member(uint64(added.ID))
		return ok && m.Name == c.members[j].name
	})
	if v, _ := c.get(j, "/j/9"); v != "9" {
		t.Fatalf("the new member has /j/9 = %q", v)
	}
	if c.members[j].s.SnapshotsInstalled() == 0 {
		t.Fatal("the new member caught up without a snapshot, so it never learned the initial configuration")
	}
	// It joined as a learner and is promoted once it caught up.
	waitFor(t, "the new member is promoted to a voter", func() bool {
		return len(c.members[j].s.RaftStatus().Config.Voters) == 4
	})
	// It restarts like any member.
	c.members[j].s.Stop()
	c.start(j)
	c.waitLeader()
	c.put(j, "/j/after-restart", "ok")
}

// Removing the leader itself: the change commits, the old leader stops, and
// the other two elect a leader and keep serving (thesis §4.2.2).
func TestRemoveLeader(t *testing.T) {
	c := newTestCluster(t, 3)
	lead := c.waitLeader()
	c.waitStoreIndex(c.put(lead, "/before", "ok").Node.ModifiedIndex)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.members[lead].s.RemoveMember(ctx, c.members[lead].s.ID()); err != nil {
		t.Fatalf("removing the leader: %v", err)
	}
	select {
	case <-c.members[lead].s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the removed leader did not stop")
	}
	c.members[lead].s = nil
	next := c.waitLeader()
	c.put(next, "/after", "ok")
	if ms := c.members[next].s.Members(); len(ms) != 2 {
		t.Fatalf("%d members listed after removing the leader", len(ms))
	}
}

// proposeJoiner makes a new, not yet started member that will join with
// --initial-cluster-state existing, and adds it to the cluster through the
// member at index via. It returns the new member's index and its record.
func (c *testCluster) proposeJoiner(t *testing.T, via int) (int, membership.Member) {
	t.Helper()
	j := c.addMember("--initial-cluster-state", "existing")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	added, err := c.members[via].s.AddMember(ctx, []string{"http://" + c.members[j].peerAddr})
	if err != nil {
		t.Fatalf("AddMember: %v", err)
	}
	return j, added
}
