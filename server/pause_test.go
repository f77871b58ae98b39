package server

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"skiff/transport"
)

// A leader whose raft loop stalls for several election timeouts (a disk
// hanging in fsync, a long GC or VM pause) is replaced while it sleeps, and
// wakes up still believing it leads (etcd #20418). It must step down and
// catch up, and a quorum read sent to it once the new leader acknowledged a
// write must return that write, never the value the old leader still holds.
func TestPausedLeaderStepsDownAndServesNoStaleQuorumRead(t *testing.T) {
	c := newTestCluster(t, 3)
	lead := c.waitLeader()
	old := c.members[lead].s
	c.put(lead, "/k", "before")
	term := old.Term()

	// Ten election timeouts: far longer than the others need to elect a
	// leader and write through it.
	if !old.PauseLoop(10 * old.cfg.ElectionTimeout) {
		t.Fatal("PauseLoop refused on a running member")
	}
	// Plain reads are still served from the store as it was.
	if v, status := c.getValue(lead, "/v2/keys/k"); status != http.StatusOK || v != "before" {
		t.Fatalf("plain GET on the paused leader: %d %q, want 200 \"before\"", status, v)
	}

	// The other two elect a leader among themselves and write through it.
	next := -1
	waitFor(t, "the other members elect a new leader", func() bool {
		next = c.leaderAmongOthers(lead)
		return next >= 0
	})
	c.put(next, "/k", "after")

	// Sent while the old leader is most likely still paused: its loop finds
	// this read waiting when it resumes, still a leader in its old term.
	if v, status := c.getValue(lead, "/v2/keys/k?quorum=true"); status != http.StatusOK || v != "after" {
		t.Fatalf("quorum GET on the old leader after the new one acknowledged a write: %d %q, want 200 \"after\"", status, v)
	}
	waitFor(t, "the old leader steps down into a later term", func() bool {
		return old.Term() > term && !old.IsLeader()
	})
	if v, status := c.getValue(lead, "/v2/keys/k?quorum=true"); status != http.StatusOK || v != "after" {
		t.Fatalf("quorum GET on the old leader after it stepped down: %d %q, want 200 \"after\"", status, v)
	}
	// It caught up and takes part again: a write through it is applied on
	// every member.
	c.put(lead, "/k", "again")
	c.waitSameStores()
	if v, _ := c.get(lead, "/k"); v != "again" {
		t.Fatalf("the old leader holds /k = %q, want \"again\"", v)
	}
}

// The same stall, but the old leader also hears nothing from the others
// until the end: when its loop resumes, no message tells it of the new
// term, and its view of who answered it lately is as fresh as before the
// pause (no tick counted the pause). A quorum read it takes then must still
// be confirmed by a quorum, which it cannot get, and so fail; answering it
// from the old leader's own state (as a lease read that trusts ticks would,
// thesis §6.4.1) would return the overwritten value.
func TestPausedLeaderCutOffServesNoStaleQuorumRead(t *testing.T) {
	c := newTestCluster(t, 3)
	lead := c.waitLeader()
	old := c.members[lead].s
	c.put(lead, "/k", "before")
	for i, m := range c.members {
		if i != lead {
			old.Transport().Block(uint64(m.s.ID()), transport.Inbound)
		}
	}
	pause := 10 * old.cfg.ElectionTimeout
	if !old.PauseLoop(pause) {
		t.Fatal("PauseLoop refused on a running member")
	}
	next := -1
	waitFor(t, "the other members elect a new leader", func() bool {
		next = c.leaderAmongOthers(lead)
		return next >= 0
	})
	c.put(next, "/k", "after")

	// The read waits for the loop and is taken when it resumes; it is
	// given the rest of the pause and as long again to be answered.
	ctx, cancel := context.WithTimeout(context.Background(), 2*pause)
	err := old.LinearizableRead(ctx)
	cancel()
	if v, _ := c.get(lead, "/k"); err == nil && v != "after" {
		t.Fatalf("a quorum read on the resumed, cut-off old leader succeeded with /k = %q, overwritten by the new leader", v)
	}
	t.Logf("the quorum read on the cut-off old leader: %v", err)

	old.Transport().UnblockAll()
	c.put(lead, "/k", "again")
	c.waitSameStores()
}

// A member stopped while its raft loop is paused stops (the pause ends when
// the stop begins), gracefully or killed, and its loop cannot be paused
// afterwards.
func TestStopEndsAPause(t *testing.T) {
	c := newTestCluster(t, 3)
	lead := c.waitLeader()
	f := (lead + 1) % 3
	for _, tc := range []struct {
		name string
		i    int
		stop func(*Server)
	}{
		// A graceful stop of the leader needs its loop: it hands leadership
		// over and drains requests before the loop ends.
		{"graceful stop of the leader", lead, func(s *Server) { s.Stop() }},
		{"kill of a follower", f, (*Server).Kill},
	} {
		s := c.members[tc.i].s
		if !s.PauseLoop(time.Hour) {
			t.Fatalf("%s: PauseLoop refused on a running member", tc.name)
		}
		stopped := make(chan struct{})
		go func() {
			tc.stop(s)
			close(stopped)
		}()
		// Not a speed check: a stop that waits for the pause would hang
		// for an hour.
		select {
		case <-stopped:
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: the member did not stop while its loop was paused", tc.name)
		}
		if s.PauseLoop(time.Second) {
			t.Fatalf("%s: PauseLoop accepted on a stopped member", tc.name)
		}
	}
}

// getValue sends a GET to member i and returns the node's value and the
// status.
func (c *testCluster) getValue(i int, path string) (string, int) {
	c.t.Helper()
	status, _, body := c.httpDo(i, http.MethodGet, path, nil)
	var resp struct {
		Node struct {
			Value string `json:"value"`
		} `json:"node"`
	}
	if status == http.StatusOK {
		if err := json.Unmarshal([]byte(body), &resp); err != nil {
			c.t.Fatalf("GET %s on member %d: %v in %s", path, i, err, body)
		}
	}
	return resp.Node.Value, status
}

// leaderAmongOthers is the member that every running member other than
// skip agrees leads, if it is not skip either; else -1.
func (c *testCluster) leaderAmongOthers(skip int) int {
	var lead uint64
	for i, m := range c.members {
		if i == skip || m.s == nil || isDone(m.s) {
			continue
		}
		l, ok := m.s.Leader()
		if !ok || (lead != 0 && uint64(l) != lead) {
			return -1
		}
		lead = uint64(l)
	}
	for i, m := range c.members {
		if i != skip && m.s != nil && uint64(m.s.ID()) == lead {
			return i
		}
	}
	return -1
}
