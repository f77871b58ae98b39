package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"skiff/raft/raftpb"
	"skiff/server/v2http"
	"skiff/store"
	"skiff/transport"
)

// The cluster's lifecycle (issue 8): members join as learners and are
// promoted once they caught up (promote.go), the cluster grows and shrinks
// under load, and a removed member stays out (removing the leader:
// TestRemoveLeader in reconfig_test.go).

// A member added but not started yet is a learner, so it does not count
// toward a quorum: with one of the three voters down as well, the other two
// still commit writes. A member restarting during the learner phase still
// sees a learner. Once the new member starts, it catches up, is promoted,
// and a write goes through it.
func TestAddedMemberIsLearnerUntilItCatchesUp(t *testing.T) {
	c := newTestCluster(t, 3)
	lead := c.waitLeader()
	c.put(lead, "/before-add", "ok")
	j, added := c.proposeJoiner(t, lead)
	id := uint64(added.ID)
	if _, ok := c.members[lead].s.Member(id); !ok {
		t.Fatal("the added member is not listed in /v2/members")
	}

	// Four members, one never started, one killed: were the new member a
	// voter, two of four could not commit. As a learner it needs no quorum.
	down := (lead + 1) % 3
	c.members[down].s.Kill()
	c.members[down].s = nil
	c.put(lead, "/with-one-voter-down", "ok")

	// The killed member restarts and replays the addition from its WAL: a
	// learner still.
	c.start(down)
	waitFor(t, "the restarted member applied the addition", func() bool {
		return slices.Contains(c.members[down].s.RaftStatus().Config.Learners, id)
	})
	if cs := c.members[down].s.RaftStatus().Config; slices.Contains(cs.Voters, id) || len(cs.Voters) != 3 {
		t.Fatalf("after a restart during the learner phase the configuration is %v, want %x a learner", cs, id)
	}
	c.requireMetric(lead, "skiff_server_learners 1")
	c.requireMetric(down, "skiff_server_learners 1")

	c.start(j)
	waitFor(t, "every member sees the new member promoted to a voter", func() bool {
		for _, m := range c.members {
			cs := m.s.RaftStatus().Config
			if len(cs.Learners) != 0 || !slices.Contains(cs.Voters, id) {
				return false
			}
		}
		return true
	})
	ev := c.put(j, "/through-new-voter", "ok")
	c.waitStoreIndex(ev.Node.ModifiedIndex)
	lead = c.waitLeader()
	if pr := c.members[lead].s.RaftStatus().Progress[id]; pr.IsLearner {
		t.Fatal("the leader's progress still marks the promoted member a learner")
	}
	c.requireMetric(j, "etcd_server_is_learner 0")
	c.requireMetric(lead, "skiff_server_learners 0")
}

// A cluster grows from one member to five and shrinks back to three while a
// client writes without pause: every acknowledged write is on every member
// at the end, and the cluster has a leader.
func TestGrowAndShrinkUnderWriteLoad(t *testing.T) {
	c := newTestCluster(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// The load: sequential writes through the first member (which stays),
	// each either acknowledged or not; only acknowledged ones must survive.
	var mu sync.Mutex
	var acked []string
	stop := make(chan struct{})
	loadDone := make(chan struct{})
	go func() {
		defer close(loadDone)
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			key := fmt.Sprintf("/load/%d", n)
			wctx, wcancel := context.WithTimeout(ctx, 2*time.Second)
			_, err := c.members[0].s.Do(wctx, &store.Request{Method: store.MethodPut, Namespace: store.Keys, Key: key, Value: key})
			wcancel()
			if err == nil {
				mu.Lock()
				acked = append(acked, key)
				mu.Unlock()
			}
		}
	}()
	ackedCount := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }

	// Grow: add one member at a time, start it, and wait for its promotion
	// before the next (one change at a time).
	for range 4 {
		j := c.addMember("--initial-cluster-state", "existing")
		added, err := c.members[0].s.AddMember(ctx, []string{"http://" + c.members[j].peerAddr})
		if err != nil {
			t.Fatalf("AddMember for %s: %v", c.members[j].name, err)
		}
		c.start(j)
		voters := j + 1
		waitFor(t, fmt.Sprintf("%s promoted: %d voters", c.members[j].name, voters), func() bool {
			cs := c.members[0].s.RaftStatus().Config
			return len(cs.Voters) == voters && slices.Contains(cs.Voters, uint64(added.ID))
		})
	}
	before := ackedCount()
	waitFor(t, "the load goes on with five voters", func() bool { return ackedCount() > before })

	// Shrink: remove the two newest members.
	for _, i := range []int{4, 3} {
		if err := c.members[0].s.RemoveMember(ctx, c.members[i].s.ID()); err != nil {
			t.Fatalf("RemoveMember %s: %v", c.members[i].name, err)
		}
		<-c.members[i].s.Done()
		c.members[i].s = nil
	}
	before = ackedCount()
	waitFor(t, "the load goes on with three voters", func() bool { return ackedCount() > before })
	close(stop)
	<-loadDone

	c.waitLeader()
	c.waitSameStores()
	if got := len(c.members[0].s.RaftStatus().Config.Voters); got != 3 {
		t.Fatalf("%d voters after the shrink, want 3", got)
	}
	for i := range 3 {
		for _, key := range acked {
			if v, ok := c.get(i, key); !ok || v != key {
				t.Fatalf("%s lost the acknowledged write %s (has %q)", c.members[i].name, key, v)
			}
		}
	}
	t.Logf("%d writes acknowledged during the reconfigurations", len(acked))
}

// A removed member stays out: a change adding its ID again is refused when
// applied, and restarted on its data dir it is refused by its former peers
// and stops itself.
func TestRemovedMemberIsNotReadmitted(t *testing.T) {
	c := newTestCluster(t, 3)
	lead := c.waitLeader()
	c.waitStoreIndex(c.put(lead, "/before", "ok").Node.ModifiedIndex)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	victim := (lead + 1) % 3
	id := c.members[victim].s.ID()
	peerURL := "http://" + c.members[victim].peerAddr
	if err := c.members[lead].s.RemoveMember(ctx, id); err != nil {
		t.Fatalf("RemoveMember: %v", err)
	}
	<-c.members[victim].s.Done()
	c.members[victim].s = nil

	for _, typ := range []raftpb.ConfChangeType{raftpb.ConfChangeAddLearner, raftpb.ConfChangeAddNode} {
		cc := raftpb.ConfChange{Type: typ, NodeID: uint64(id)}
		if err := c.members[lead].s.proposeConfChange(ctx, cc, []string{peerURL}); !errors.Is(err, v2http.ErrMemberRemoved) {
			t.Fatalf("re-adding the removed ID with %v: err = %v, want ErrMemberRemoved", typ, err)
		}
	}

	c.start(victim)
	select {
	case <-c.members[victim].s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the removed member, restarted, keeps running")
	}
	if !errors.Is(c.members[victim].s.Err(), errRemoved) {
		t.Fatalf("the restarted removed member stopped with %v, want errRemoved", c.members[victim].s.Err())
	}
	c.members[victim].s = nil
	c.put(lead, "/after", "ok")
	if cs := c.members[lead].s.RaftStatus().Config; len(cs.Voters) != 2 || len(cs.Learners) != 0 {
		t.Fatalf("configuration %v after the removal, want two voters", cs)
	}
}

// A learner removed before it ever started leaves no trace in the
// configuration, and its ID is refused from then on.
func TestRemoveLearnerBeforeItStarts(t *testing.T) {
	c := newTestCluster(t, 3)
	lead := c.waitLeader()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	added, err := c.members[lead].s.AddMember(ctx, []string{"http://127.0.0.1:1"})
	if err != nil {
		t.Fatalf("AddMember: %v", err)
	}
	if err := c.members[lead].s.RemoveMember(ctx, added.ID); err != nil {
		t.Fatalf("removing the learner: %v", err)
	}
	waitFor(t, "every member dropped the learner", func() bool {
		for _, m := range c.members {
			cs := m.s.RaftStatus().Config
			if len(cs.Learners) != 0 || len(cs.Voters) != 3 || len(m.s.Members()) != 3 {
				return false
			}
		}
		return true
	})
	if err := c.members[lead].s.RemoveMember(ctx, added.ID); !errors.Is(err, v2http.ErrMemberRemoved) {
		t.Fatalf("removing it again: err = %v, want ErrMemberRemoved", err)
	}
	c.put(lead, "/after", "ok")
}

// A member forced into a new cluster fixes the member records (its own
// recorded, the others removed) before it publishes its attributes, so once
// it has published, a client's member sync finds exactly it. (skiffctl after
// a backup restore raced the two and found an empty member list.)
func TestForcedMemberPublishesAfterFixingMembers(t *testing.T) {
	c := newTestCluster(t, 3)
	c.waitStoreIndex(c.put(0, "/f", "1").Node.ModifiedIndex)
	c.waitSameStores()
	c.stopAll()
	since := c.members[0].s.Store().Index() + 1
	c.extra = append(c.extra, "--force-new-cluster")
	c.members[1].s, c.members[2].s = nil, nil
	c.start(0)

	s := c.members[0].s
	w, err := s.Store().Watch(store.Cluster, membersDir, true, true, since)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Remove()
	deleted := 0
	self := membersDir + "/" + hexID(uint64(s.ID()))
	for ev := range w.EventChan() {
		switch {
		case ev.Action == store.ActionDelete:
			deleted++
		case ev.Node.Key == self+"/attributes":
			if deleted != 2 {
				t.Fatalf("the forced member published with %d of the 2 other members' records removed", deleted)
			}
			if ms := s.Members(); len(ms) != 1 || uint64(ms[0].ID) != uint64(s.ID()) || len(ms[0].ClientURLs) == 0 {
				t.Fatalf("members right after the publish: %+v", ms)
			}
			return
		}
	}
	t.Fatal("the watch ended before the forced member published")
}

// A running learner removed without hearing of it (the leader stops sending
// to a member once its removal commits) learns it from its peers' member
// lists and stops: a learner never campaigns, so it would otherwise keep
// waiting for its old leader.
func TestRunningLearnerRemovedStops(t *testing.T) {
	holdPromotions.Store(true)
	defer holdPromotions.Store(false)
	c := newTestCluster(t, 3)
	lead := c.waitLeader()
	j, added := c.proposeJoiner(t, lead)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c.start(j)
	waitFor(t, "the learner follows the leader", func() bool {
		l, ok := c.members[j].s.Leader()
		return ok && l == c.members[lead].s.ID() && c.members[j].s.isLearner()
	})
	c.requireMetric(j, "etcd_server_is_learner 1")
	// Cut the learner off, so that its removal cannot reach it.
	c.members[lead].s.Transport().Block(uint64(added.ID), transport.Both)
	if err := c.members[lead].s.RemoveMember(ctx, added.ID); err != nil {
		t.Fatalf("removing the learner: %v", err)
	}
	c.members[lead].s.Transport().Unblock(uint64(added.ID))
	select {
	case <-c.members[j].s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the removed learner keeps running")
	}
	if !errors.Is(c.members[j].s.Err(), errRemoved) {
		t.Fatalf("the removed learner stopped with %v, want errRemoved", c.members[j].s.Err())
	}
	c.members[j].s = nil
}

// Restarts during the learner phase, of the learner itself and of the
// leader, keep the learner a learner (the configuration is in the snapshot
// and the WAL); once promotions are allowed, the new leader promotes it.
func TestLearnerPhaseSurvivesRestarts(t *testing.T) {
	holdPromotions.Store(true)
	defer holdPromotions.Store(false)
	c := newTestCluster(t, 3)
	lead := c.waitLeader()
	j, added := c.proposeJoiner(t, lead)
	id := uint64(added.ID)
	c.start(j)
	ev := c.put(lead, "/during-learner-phase", "ok")
	c.waitStoreIndex(ev.Node.ModifiedIndex)

	isLearnerEverywhere := func() bool {
		for _, m := range c.members {
			cs := m.s.RaftStatus().Config
			if !slices.Contains(cs.Learners, id) || slices.Contains(cs.Voters, id) {
				return false
			}
		}
		return true
	}
	c.members[j].s.Stop()
	c.start(j)
	waitFor(t, "the restarted learner has applied its configuration", func() bool { return c.members[j].s.isLearner() })
	c.members[lead].s.Stop()
	c.start(lead)
	lead = c.waitLeader()
	ev = c.put(lead, "/after-restarts", "ok")
	c.waitStoreIndex(ev.Node.ModifiedIndex)
	if !isLearnerEverywhere() {
		t.Fatal("after restarts during the learner phase some member does not see a learner")
	}

	holdPromotions.Store(false)
	waitFor(t, "the learner is promoted", func() bool {
		for _, m := range c.members {
			if cs := m.s.RaftStatus().Config; !slices.Contains(cs.Voters, id) || len(cs.Learners) != 0 {
				return false
			}
		}
		return true
	})
	c.put(j, "/through-promoted", "ok")
}
