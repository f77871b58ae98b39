package cluster_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"skiff/client"
	"skiff/tests/cluster"
)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return c
}

// put writes key=value through cl and fails the test on error.
func put(t *testing.T, cl *client.Client, key, value string) *client.Response {
	t.Helper()
	r, err := cl.Set(ctx(t), key, value, nil)
	if err != nil {
		t.Fatalf("PUT %s=%s through %s: %v", key, value, cl.Pinned(), err)
	}
	return r
}

// mustRead quorum-reads key through cl and checks its value.
func mustRead(t *testing.T, cl *client.Client, key, want string) {
	t.Helper()
	r, err := cl.Get(ctx(t), key, &client.GetOptions{Quorum: true})
	if err != nil {
		t.Fatalf("GET %s through %s: %v", key, cl.Pinned(), err)
	}
	if r.Node.Value != want {
		t.Fatalf("GET %s through %s = %q, want %q", key, cl.Pinned(), r.Node.Value, want)
	}
}

// A single member serves writes and quorum reads, and keeps them across a
// restart.
func TestOneMemberWritesReadsAndRestarts(t *testing.T) {
	c := cluster.New(t, cluster.Config{Size: 1})
	cl := c.MemberClient(0)
	for i := range 10 {
		put(t, cl, fmt.Sprintf("/one/%d", i), fmt.Sprint(i))
	}
	c.Kill(0)
	c.Restart(0)
	c.WaitLeader()
	for i := range 10 {
		mustRead(t, cl, fmt.Sprintf("/one/%d", i), fmt.Sprint(i))
	}
}

// Writes sent to followers are forwarded to the leader, and every member
// then serves them.
func TestThreeMembersWritesSentToFollowers(t *testing.T) {
	c := cluster.New(t, cluster.Config{Size: 3})
	lead := c.WaitLeader()
	var last uint64
	for i := range c.Size() {
		if i == lead {
			continue
		}
		last = put(t, c.MemberClient(i), fmt.Sprintf("/via/%d", i), "follower").Node.ModifiedIndex
	}
	c.WaitStoreIndex(last)
	for i := range c.Size() {
		for j := range c.Size() {
			if j != lead {
				mustRead(t, c.MemberClient(i), fmt.Sprintf("/via/%d", j), "follower")
			}
		}
	}
	c.WaitConverged()
}

// Killing the leader gives a new leader, and no acknowledged write is
// lost: not on the survivors, and not on the old leader once it is back.
func TestKillingTheLeaderElectsAnotherAndLosesNoAcknowledgedWrite(t *testing.T) {
	c := cluster.New(t, cluster.Config{Size: 3})
	lead := c.WaitLeader()
	for i := range 30 {
		put(t, c.MemberClient(i%3), fmt.Sprintf("/k%d", i), fmt.Sprint(i))
	}
	c.Kill(lead)
	newLead := c.WaitLeader()
	if newLead == lead {
		t.Fatalf("the killed member %d still leads", lead)
	}
	for i := range 30 {
		mustRead(t, c.MemberClient(newLead), fmt.Sprintf("/k%d", i), fmt.Sprint(i))
	}
	c.Restart(lead)
	c.WaitLeader()
	r := put(t, c.MemberClient(lead), "/after", "restart")
	c.WaitStoreIndex(r.Node.ModifiedIndex)
	c.WaitConverged()
	for i := range 30 {
		mustRead(t, c.MemberClient(lead), fmt.Sprintf("/k%d", i), fmt.Sprint(i))
	}
}

// Every member stopped (gracefully, then all killed at once) and started
// again keeps every acknowledged write.
func TestRestartingEveryMemberKeepsAllData(t *testing.T) {
	c := cluster.New(t, cluster.Config{Size: 3})
	for i := range 20 {
		put(t, c.MemberClient(i%3), fmt.Sprintf("/all/%d", i), fmt.Sprint(i))
	}
	for i := range c.Size() {
		c.Stop(i)
	}
	c.RestartAll()
	c.WaitLeader()
	for i := 20; i < 40; i++ {
		put(t, c.MemberClient(i%3), fmt.Sprintf("/all/%d", i), fmt.Sprint(i))
	}
	c.KillAll()
	c.RestartAll()
	c.WaitLeader()
	c.WaitConverged()
	for i := range 40 {
		mustRead(t, c.MemberClient(i%3), fmt.Sprintf("/all/%d", i), fmt.Sprint(i))
	}
}

// snapFiles counts the snapshot files in member i's snap dir.
func snapFiles(c *cluster.Cluster, i int) int {
	ents, _ := os.ReadDir(c.Member(i).Dirs().Snap)
	n := 0
	for _, e := range ents {
		if !e.IsDir() && len(e.Name()) > 5 && e.Name()[len(e.Name())-5:] == ".snap" {
			n++
		}
	}
	return n
}

// With a low --snapshot-count, members take snapshots, and restart from
// them with all their data.
func TestSnapshotAndRestartKeepsData(t *testing.T) {
	c := cluster.New(t, cluster.Config{Size: 3, SnapshotCount: 20, SnapshotCatchUpEntries: 5})
	for i := range 100 {
		put(t, c.MemberClient(i%3), fmt.Sprintf("/snap/%d", i%25), fmt.Sprint(i))
	}
	if snapFiles(c, 0) == 0 {
		t.Skip("the server took no snapshot after 100 writes with --snapshot-count 20: snapshots are not implemented yet (server/snapshot.go)")
	}
	c.KillAll()
	c.RestartAll()
	c.WaitLeader()
	c.WaitConverged()
	for i := 75; i < 100; i++ {
		mustRead(t, c.MemberClient(i%3), fmt.Sprintf("/snap/%d", i%25), fmt.Sprint(i))
	}
}

// A follower cut off while the leader snapshots and compacts its log past
// the follower's last entry catches up by receiving a snapshot.
func TestFollowerBehindCompactionCatchesUpBySnapshot(t *testing.T) {
	c := cluster.New(t, cluster.Config{Size: 3, SnapshotCount: 20, SnapshotCatchUpEntries: 5})
	lead := c.WaitLeader()
	lag := (lead + 1) % 3
	c.Isolate(lag)
	for i := range 100 {
		put(t, c.MemberClient(lead), fmt.Sprintf("/lag/%d", i%25), fmt.Sprint(i))
	}
	if snapFiles(c, lead) == 0 {
		t.Skip("the leader took no snapshot after 100 writes with --snapshot-count 20: snapshots are not implemented yet (server/snapshot.go)")
	}
	c.Heal()
	c.WaitConverged()
	for i := 75; i < 100; i++ {
		mustRead(t, c.MemberClient(lag), fmt.Sprintf("/lag/%d", i%25), fmt.Sprint(i))
	}
	if sent := c.Member(lead).Server().Transport().Stats()[c.Member(lag).ID()].SnapshotsSent; sent == 0 {
		t.Fatalf("m%d caught up without a snapshot from the leader: the log was not compacted past it", lag+1)
	}
	// The lagging member restarts from the snapshot it received.
	c.Kill(lag)
	c.Restart(lag)
	c.WaitLeader()
	c.WaitConverged()
}

// With raft messages dropped, duplicated and delayed (so reordered) at
// random, writes still commit, and every member ends with the same store.
// (A write sent to a follower whose forwarded proposal is dropped times
// out, as in etcd; the test then sends it again.)
func TestMessageFaultsKeepDataConsistent(t *testing.T) {
	c := cluster.New(t, cluster.Config{Size: 3, Seed: 1})
	c.SetMessageFaults(&cluster.MessageFaults{Drop: 0.2, Duplicate: 0.2, Delayed: 0.5, MaxDelay: 30 * time.Millisecond})
	for i := range 30 {
		key, value := fmt.Sprintf("/mf/%d", i), fmt.Sprint(i)
		for try := 0; ; try++ {
			cctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_, err := c.MemberClient(i%3).Set(cctx, key, value, nil)
			cancel()
			if err == nil {
				break
			}
			if try == 10 {
				t.Fatalf("PUT %s failed 10 times under message faults: %v", key, err)
			}
		}
	}
	st := c.MessageFaultStats()
	if st.Dropped == 0 || st.Duplicated == 0 || st.Delayed == 0 {
		t.Fatalf("the message faults did not happen: %+v", st)
	}
	c.SetMessageFaults(nil)
	c.WaitConverged()
	for i := range 30 {
		mustRead(t, c.MemberClient((i+1)%3), fmt.Sprintf("/mf/%d", i), fmt.Sprint(i))
	}
	t.Logf("message faults: %+v", st)
}

// A member added at runtime catches up and serves; a follower removed
// stops; the cluster goes on with the new member and keeps every write.
func TestMembershipReplaceFollower(t *testing.T) {
	c := cluster.New(t, cluster.Config{Size: 3})
	lead := c.WaitLeader()
	for i := range 20 {
		put(t, c.MemberClient(i%3), fmt.Sprintf("/mem/%d", i), fmt.Sprint(i))
	}
	added, err := c.AddMember(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	victim := (lead + 1) % 3
	if err := c.RemoveMember(ctx(t), victim); err != nil {
		t.Fatal(err)
	}
	if c.Running(victim) {
		t.Fatalf("m%d still runs after its removal", victim+1)
	}
	r := put(t, c.MemberClient(added), "/mem/via-new", "yes")
	c.WaitStoreIndex(r.Node.ModifiedIndex)
	c.WaitConverged()
	for i := range 20 {
		mustRead(t, c.MemberClient(added), fmt.Sprintf("/mem/%d", i), fmt.Sprint(i))
	}
	// The new member restarts like any other.
	c.Kill(added)
	c.Restart(added)
	c.WaitLeader()
	put(t, c.MemberClient(added), "/mem/after-restart", "ok")
}

// Power failures that lose whatever was not fsynced (the WAL on a MemFS)
// lose no acknowledged write: not on one member (etcd #14370's case), not
// on three crashed at once, and the index never goes back.
func TestPowerFailureLosesNoAcknowledgedWrite(t *testing.T) {
	for _, size := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d-members", size), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(size), 42))
			c := cluster.New(t, cluster.Config{Size: size, MemFS: true})
			acked := map[string]string{}
			var last uint64
			for round := range 3 {
				acked, last = writeWhileCrashing(t, c, rng, round, acked, last)
				c.RestartAll()
				c.WaitLeader()
				for k, v := range acked {
					atLeast(t, c.MemberClient(rng.IntN(size)), k, v)
				}
			}
		})
	}
}

// writeWhileCrashing runs writers until every member crashes at a random
// moment, and returns the writes acknowledged so far and the highest
// index; an index at or below an earlier one is a failure.
func writeWhileCrashing(t *testing.T, c *cluster.Cluster, rng *rand.Rand, round int, acked map[string]string, last uint64) (map[string]string, uint64) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := c.MemberClient(w % c.Size())
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key, value := fmt.Sprintf("/pf/w%d-%d", w, i%10), fmt.Sprint(round*1_000_000+i)
				mu.Lock()
				before := last // acknowledged before this write began
				mu.Unlock()
				cctx, cancel := context.WithTimeout(context.Background(), time.Second)
				r, err := cl.Set(cctx, key, value, nil)
				cancel()
				if err != nil {
					continue
				}
				mu.Lock()
				acked[key] = value
				if r.Node.ModifiedIndex <= before {
					t.Errorf("%s=%s got index %d, not above %d acknowledged before it began", key, value, r.Node.ModifiedIndex, before)
				}
				last = max(last, r.Node.ModifiedIndex)
				mu.Unlock()
			}
		}()
	}
	time.Sleep(time.Duration(200+rng.IntN(400)) * time.Millisecond)
	t.Log(c.CrashAll(rng))
	close(stop)
	wg.Wait()
	return acked, last
}

// atLeast quorum-reads key, which one writer sets to increasing numbers,
// and checks it holds the acknowledged value or a later one (a write cut
// off by the crash may or may not have been applied).
func atLeast(t *testing.T, cl *client.Client, key, acked string) {
	t.Helper()
	r, err := cl.Get(ctx(t), key, &client.GetOptions{Quorum: true})
	if err != nil {
		t.Fatalf("GET %s through %s: %v", key, cl.Pinned(), err)
	}
	got, _ := strconv.Atoi(r.Node.Value)
	want, _ := strconv.Atoi(acked)
	if got < want {
		t.Fatalf("GET %s = %s: the acknowledged write %s was lost", key, r.Node.Value, acked)
	}
}

// A follower cut off from the others serves neither writes nor quorum
// reads (they fail instead of answering from a minority), while a plain
// read still answers from its possibly stale store; once healed, both
// work again.
func TestMinorityServesNoQuorumReadOrWrite(t *testing.T) {
	c := cluster.New(t, cluster.Config{Size: 3})
	lead := c.WaitLeader()
	f := (lead + 1) % 3
	put(t, c.MemberClient(lead), "/minority", "before")
	c.WaitConverged()
	c.Isolate(f)
	put(t, c.MemberClient(lead), "/minority", "during")
	cl := c.MemberClient(f)
	short := func() context.Context {
		cctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		t.Cleanup(cancel)
		return cctx
	}
	if _, err := cl.Set(short(), "/minority", "from-minority", nil); err == nil {
		t.Fatal("a write through an isolated follower succeeded")
	}
	if r, err := cl.Get(short(), "/minority", &client.GetOptions{Quorum: true}); err == nil {
		t.Fatalf("a quorum read through an isolated follower answered %q", r.Node.Value)
	}
	if r, err := cl.Get(short(), "/minority", nil); err != nil || r.Node.Value == "from-minority" {
		t.Fatalf("plain read on the isolated follower: %v, %+v", err, r)
	}
	c.Heal()
	c.WaitLeader()
	mustRead(t, cl, "/minority", "during")
	put(t, cl, "/minority", "after")
}

// DumpDisks writes a MemFS member's WAL to the real disk for inspection.
func TestDumpDisksCopiesTheWAL(t *testing.T) {
	c := cluster.New(t, cluster.Config{Size: 1, MemFS: true})
	put(t, c.MemberClient(0), "/dump", "x")
	dir := t.TempDir()
	if err := c.DumpDisks(dir); err != nil {
		t.Fatal(err)
	}
	wals, _ := filepath.Glob(filepath.Join(dir, c.Member(0).Dirs().WAL, "*.wal"))
	if len(wals) == 0 {
		t.Fatalf("no WAL segment under %s", filepath.Join(dir, c.Member(0).Dirs().WAL))
	}
}
