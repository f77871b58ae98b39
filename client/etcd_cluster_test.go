package client

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"skiff/internal/etcdtest"
)

// TestAgainstEtcdCluster runs the client against a real three-member etcd:
// sync to the member list, leader and leader stats, adding and removing a
// member, and losing a member under a watch and under writes.
func TestAgainstEtcdCluster(t *testing.T) {
	// Without the strict check, a member can be added at once; with it,
	// etcd 3.4 refuses (500) until every member has been connected for 5s.
	ms := etcdtest.StartCluster(t, 3, tok, etcdtest.Flags("--strict-reconfig-check=false"))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := newTestClient(t, Config{Endpoints: []string{ms[0].ClientURL}, HeaderTimeout: 2 * time.Second})

	if err := c.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range ms {
		want = append(want, m.ClientURL)
	}
	if got := slices.Sorted(slices.Values(c.Endpoints())); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
		t.Fatalf("endpoints after sync %v, want %v", got, want)
	}

	leader, err := c.Leader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var lead *etcdtest.Member
	var followers []*etcdtest.Member
	for _, m := range ms {
		if m.Name == leader.Name {
			lead = m
		} else {
			followers = append(followers, m)
		}
	}
	if lead == nil {
		t.Fatalf("leader %+v is none of the members", leader)
	}
	t.Run("leader stats", func(t *testing.T) { clusterLeaderStats(t, ctx, lead, followers[0]) })
	t.Run("add and remove a member", func(t *testing.T) { clusterMembership(t, ctx, c) })
	t.Run("lose a member", func(t *testing.T) { clusterLoseMember(t, ctx, followers[0], followers[1], lead) })
}

func clusterLeaderStats(t *testing.T, ctx context.Context, lead, follower *etcdtest.Member) {
	lc := newTestClient(t, Config{Endpoints: []string{lead.ClientURL}})
	ls, err := lc.LeaderStats(ctx)
	if err != nil || len(ls.Followers) != 2 {
		t.Errorf("leader stats from the leader: %+v, %v", ls, err)
	}
	fc := newTestClient(t, Config{Endpoints: []string{follower.ClientURL}})
	_, err = fc.LeaderStats(ctx)
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != 403 || e.Error() != "not current leader" {
		t.Errorf("leader stats from a follower: %v", err)
	}
	if s, err := fc.SelfStats(ctx); err != nil || s.State != "StateFollower" || s.Name != follower.Name {
		t.Errorf("a follower's self stats: %+v, %v", s, err)
	}
}

func clusterMembership(t *testing.T, ctx context.Context, c *Client) {
	peer := etcdtest.FreeURL(t)
	m, err := c.AddMember(ctx, []string{peer})
	if err != nil || m.Name != "" || len(m.ClientURLs) != 0 || !hexID.MatchString(m.ID) {
		t.Fatalf("add member: %+v, %v", m, err)
	}
	// 409: "membership: peerURL exists", or "membership: ID exists" within
	// the same second (a runtime member's ID hashes the URLs and the time).
	_, err = c.AddMember(ctx, []string{peer})
	var dup *Error
	if !errors.As(err, &dup) || dup.StatusCode != 409 || !strings.HasPrefix(dup.Message, "membership: ") {
		t.Errorf("adding the same peer URL again: %v", err)
	}
	all, err := c.Members(ctx)
	if err != nil || len(all) != 4 {
		t.Fatalf("members after add: %+v, %v", all, err)
	}
	if err := c.UpdateMember(ctx, m.ID, []string{peer}); err != nil {
		t.Errorf("update the new member: %v", err)
	}
	if err := c.RemoveMember(ctx, m.ID); err != nil {
		t.Fatalf("remove the unstarted member: %v", err)
	}
	err = c.RemoveMember(ctx, m.ID)
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != 410 || e.Error() != "Member permanently removed: "+m.ID {
		t.Errorf("second remove: %v", err)
	}
}

// clusterLoseMember watches through one follower, kills it, and shows the
// watch and the writes carry on through the others.
func clusterLoseMember(t *testing.T, ctx context.Context, victim, other, lead *etcdtest.Member) {
	writer := newTestClient(t, Config{Endpoints: []string{lead.ClientURL}})
	c := newTestClient(t, Config{Endpoints: []string{victim.ClientURL, other.ClientURL}, HeaderTimeout: 2 * time.Second})
	start := ok(t)(writer.Set(ctx, "/lose/k", "0", nil)).Index
	w := c.Watcher("/lose/k", &WatchOptions{AfterIndex: start, Stream: true})
	defer w.Close()
	ok(t)(writer.Set(ctx, "/lose/k", "1", nil))
	first, err := w.Next(ctx)
	if err != nil || first.Node.Value != "1" || first.Endpoint != victim.ClientURL {
		t.Fatalf("first event: %+v, %v", first, err)
	}

	victim.Kill()
	ok(t)(writer.Set(ctx, "/lose/k", "2", nil))
	second, err := w.Next(ctx)
	if err != nil || second.Node.Value != "2" || second.Endpoint != other.ClientURL {
		t.Fatalf("event after the member died: %+v, %v", second, err)
	}

	r, err := c.Set(ctx, "/lose/k", "3", nil)
	if err != nil || r.Endpoint != other.ClientURL {
		t.Errorf("write with a dead first endpoint: %+v, %v", r, err)
	}
	if ok, err := c.Health(ctx); err != nil || !ok {
		t.Errorf("cluster health with two of three: %v, %v", ok, err)
	}
	if _, err := c.EndpointHealth(ctx, victim.ClientURL); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("health of the dead member: %v", err)
	}
}
