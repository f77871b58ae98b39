package server

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"skiff/server/v2http"
	"skiff/store"
)

// Writes sent to followers reach the leader through raft (a follower's
// proposal is forwarded) and are applied on every member.
func TestThreeMembersWritesThroughFollowers(t *testing.T) {
	c := newTestCluster(t, 3)
	lead := c.waitLeader()
	var last uint64
	for i := range c.members {
		ev := c.put(i, fmt.Sprintf("/via/%d", i), c.members[i].name)
		last = ev.Node.ModifiedIndex
	}
	if lead < 0 {
		t.Fatal("no leader")
	}
	c.waitStoreIndex(last)
	for i := range c.members {
		for j := range c.members {
			if v, ok := c.get(i, fmt.Sprintf("/via/%d", j)); !ok || v != c.members[j].name {
				t.Fatalf("%s: /via/%d = %q, %v", c.members[i].name, j, v, ok)
			}
		}
	}
	c.waitSameStores()
}

// Killing the leader (no graceful hand-off) makes the others elect a new one,
// and no write acknowledged before the kill is lost.
func TestKillLeaderKeepsAcknowledgedWrites(t *testing.T) {
	c := newTestCluster(t, 3)
	lead := c.waitLeader()
	for i := range 30 {
		c.put(i%3, fmt.Sprintf("/k%d", i), fmt.Sprint(i))
	}
	oldID := c.members[lead].s.ID()
	c.members[lead].s.Kill()
	c.members[lead].s = nil
	newLead := c.waitLeader()
	if c.members[newLead].s.ID() == oldID {
		t.Fatal("the killed member is still the leader")
	}
	other := (newLead + 1) % 3
	if other == lead {
		other = (other + 1) % 3
	}
	c.put(other, "/after-kill", "yes")
	for i := range 30 {
		for _, j := range []int{newLead, other} {
			if v, ok := c.get(j, fmt.Sprintf("/k%d", i)); !ok || v != fmt.Sprint(i) {
				t.Fatalf("%s lost acknowledged write /k%d (got %q, %v)", c.members[j].name, i, v, ok)
			}
		}
	}
	// The killed member restarts from its data dir and catches up.
	c.start(lead)
	c.waitLeader()
	ev := c.put(lead, "/back", "again")
	c.waitStoreIndex(ev.Node.ModifiedIndex)
	c.waitSameStores()
}

// Stopping and restarting every member keeps all data.
func TestRestartAllMembersKeepsData(t *testing.T) {
	c := newTestCluster(t, 3)
	var last uint64
	for i := range 20 {
		last = c.put(i%3, fmt.Sprintf("/all/%d", i), fmt.Sprint(i)).Node.ModifiedIndex
	}
	c.waitStoreIndex(last)
	before := c.dumpDir(0, "/all")
	c.stopAll()
	for i := range c.members {
		c.start(i)
	}
	c.waitLeader()
	ev := c.put(0, "/marker", "m")
	c.waitStoreIndex(ev.Node.ModifiedIndex)
	for i := range c.members {
		if v, _ := c.get(i, "/all/19"); v != "19" {
			t.Fatalf("%s: /all/19 = %q after restarting everyone", c.members[i].name, v)
		}
	}
	c.stopAll()
	for i := range c.members {
		c.start(i)
	}
	c.waitLeader()
	c.waitStoreIndex(ev.Node.ModifiedIndex)
	if after := c.dumpDir(0, "/all"); after != before {
		t.Fatalf("key space changed across restarts:\nbefore %s\nafter  %s", before, after)
	}
}

// With a quorum gone, a write fails within its deadline with ErrTimeout or
// ErrNoLeader (300 or 301 over HTTP) instead of hanging, and the survivor
// serves it once the quorum is back.
func TestWriteWithoutQuorumTimesOut(t *testing.T) {
	c := newTestCluster(t, 3)
	c.put(0, "/before", "1")
	c.members[1].s.Kill()
	c.members[2].s.Kill()
	c.members[1].s, c.members[2].s = nil, nil
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.members[0].s.Do(ctx, &store.Request{Method: store.MethodPut, Namespace: store.Keys, Key: "/lost", Value: "x"})
	if !errors.Is(err, v2http.ErrTimeout) && !errors.Is(err, v2http.ErrNoLeader) {
		t.Fatalf("write without a quorum: err = %v, want ErrTimeout or ErrNoLeader", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("the write took %v to fail, past its 1s deadline", d)
	}
	c.start(1)
	c.waitLeader()
	c.put(0, "/after", "2")
}

// A quorum read on a follower sees a write the leader acknowledged just
// before, even if the follower had not applied it yet when the read began.
func TestQuorumReadOnFollowerSeesLeadersWrite(t *testing.T) {
	c := newTestCluster(t, 3)
	lead := c.waitLeader()
	f := (lead + 1) % 3
	for i := range 20 {
		key := fmt.Sprintf("/lin/%d", i)
		c.put(lead, key, fmt.Sprint(i))
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := c.members[f].s.LinearizableRead(ctx)
		cancel()
		if err != nil {
			t.Fatalf("LinearizableRead on the follower: %v", err)
		}
		if v, ok := c.get(f, key); !ok || v != fmt.Sprint(i) {
			t.Fatalf("after a linearizable read the follower has %s = %q, %v", key, v, ok)
		}
	}
}

// Many concurrent quorum reads on a follower, sharing ReadIndex rounds, each
// see at least the last write acknowledged before the read began.
func TestConcurrentLinearizableReadsSeeAcknowledgedWrites(t *testing.T) {
	c := newTestCluster(t, 3)
	lead := c.waitLeader()
	f := (lead + 1) % 3
	var acked atomic.Int64
	stop := make(chan struct{})
	var writer sync.WaitGroup
	writer.Add(1)
	go func() {
		defer writer.Done()
		for i := int64(1); ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_, err := c.members[lead].s.Do(ctx, &store.Request{Method: store.MethodPut, Namespace: store.Keys, Key: "/ctr", Value: fmt.Sprint(i)})
			cancel()
			if err != nil {
				t.Errorf("write %d: %v", i, err)
				return
			}
			acked.Store(i)
		}
	}()
	var readers sync.WaitGroup
	for range 16 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for range 30 {
				before := acked.Load()
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				err := c.members[f].s.LinearizableRead(ctx)
				cancel()
				if err != nil {
					t.Errorf("LinearizableRead: %v", err)
					return
				}
				v, _ := c.get(f, "/ctr")
				var got int64
				fmt.Sscan(v, &got)
				if got < before {
					t.Errorf("a quorum read saw /ctr=%d after write %d was acknowledged", got, before)
					return
				}
			}
		}()
	}
	readers.Wait()
	close(stop)
	writer.Wait()
}
