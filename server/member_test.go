package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"skiff/store"
)

// A single member elects itself, applies a PUT through its own log, and
// publishes its attributes so /v2/members would show its name.
func TestSingleMemberPutGet(t *testing.T) {
	c := newTestCluster(t, 1)
	ev := c.put(0, "/foo", "bar")
	if ev.Action != store.ActionSet || ev.Node == nil || *ev.Node.Value != "bar" {
		t.Fatalf("PUT /foo: got %+v", ev)
	}
	if v, ok := c.get(0, "/foo"); !ok || v != "bar" {
		t.Fatalf("GET /foo = %q, %v; want bar", v, ok)
	}
	waitFor(t, "the member publishes its name", func() bool {
		m, ok := c.members[0].s.Member(uint64(c.members[0].s.ID()))
		return ok && m.Name == "m1" && len(m.ClientURLs) == 1
	})
}

// A store error (here: create on an existing key) comes back as the store's
// *store.Error from the apply, not as a raft failure.
func TestSingleMemberStoreErrorReachesCaller(t *testing.T) {
	c := newTestCluster(t, 1)
	c.put(0, "/k", "v")
	no := false
	_, err := c.members[0].s.Do(context.Background(), &store.Request{Method: store.MethodPut, Namespace: store.Keys, Key: "/k", Value: "w", PrevExist: &no})
	if store.Code(err) != store.EcodeNodeExist {
		t.Fatalf("create on an existing key: err = %v, want code 105", err)
	}
}

// A quorum GET and a linearizable read both see a write acknowledged before.
func TestQuorumReadSeesAcknowledgedWrite(t *testing.T) {
	c := newTestCluster(t, 1)
	c.put(0, "/q", "1")
	ctx := context.Background()
	ev, err := c.members[0].s.Do(ctx, &store.Request{Method: store.MethodGet, Namespace: store.Keys, Key: "/q"})
	if err != nil || ev.Node == nil || *ev.Node.Value != "1" {
		t.Fatalf("quorum GET /q = %+v, %v", ev, err)
	}
	if err := c.members[0].s.LinearizableRead(ctx); err != nil {
		t.Fatalf("LinearizableRead: %v", err)
	}
}

// A key with a TTL disappears once the leader's sweep (every 500 ms while TTL
// keys exist) is applied, with an expire event in the history.
func TestTTLExpiresThroughLeaderSync(t *testing.T) {
	c := newTestCluster(t, 1)
	_, err := c.members[0].s.Do(context.Background(), &store.Request{Method: store.MethodPut, Namespace: store.Keys,
		Key: "/ttl", Value: "x", TTL: store.TTL{Set: true, Seconds: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.get(0, "/ttl"); !ok {
		t.Fatal("the key is gone before its TTL")
	}
	waitFor(t, "the TTL key expires", func() bool {
		_, ok := c.get(0, "/ttl")
		return !ok
	})
	if c.members[0].s.Store().HasTTLKeys() {
		t.Fatal("the store still reports TTL keys after the sweep")
	}
}

// A restarted member keeps every acknowledged write and its store index.
func TestSingleMemberRestartKeepsData(t *testing.T) {
	c := newTestCluster(t, 1)
	for i := range 20 {
		c.put(0, "/r", string(rune('a'+i)))
	}
	before, index := c.dumpKeys(0), c.members[0].s.Store().Index()
	c.members[0].s.Stop()
	c.start(0)
	c.waitLeader()
	if v, _ := c.get(0, "/r"); v != "t" {
		t.Fatalf("after restart /r = %q, want t", v)
	}
	if after := c.dumpKeys(0); after != before {
		t.Fatalf("after restart the key space differs:\nbefore %s\nafter  %s", before, after)
	}
	// The restart republishes the member's attributes, which takes one
	// index, as in etcd; the next write comes after it.
	if ev := c.put(0, "/after", "restart"); ev.Node.ModifiedIndex <= index {
		t.Fatalf("a write after restart got index %d, not above %d", ev.Node.ModifiedIndex, index)
	}
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// --wal-dir puts the WAL segments in their own directory; snapshots stay in
// <data-dir>/member/snap, and a restart finds both.
func TestWALDirHoldsTheWAL(t *testing.T) {
	walDir := filepath.Join(t.TempDir(), "wal")
	c := newTestCluster(t, 1, "--wal-dir", walDir, "--snapshot-count", "5")
	for i := range 12 {
		c.put(0, "/w", fmt.Sprint(i))
	}
	if segs, _ := filepath.Glob(filepath.Join(walDir, "*.wal")); len(segs) == 0 {
		t.Fatalf("no WAL segment in --wal-dir %s", walDir)
	}
	if _, err := os.Stat(filepath.Join(c.members[0].dir, "member", "wal")); err == nil {
		t.Fatal("a WAL directory was made under the data dir despite --wal-dir")
	}
	if len(snapFiles(t, c.members[0].dir)) == 0 {
		t.Fatal("no snapshot under <data-dir>/member/snap")
	}
	c.members[0].s.Stop()
	c.start(0)
	c.waitLeader()
	if v, _ := c.get(0, "/w"); v != "11" {
		t.Fatalf("/w = %q after a restart with --wal-dir", v)
	}
}
