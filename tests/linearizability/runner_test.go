package linearizability

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"skiff/client"
	"skiff/tests/cluster"
)

// scenario is one robustness run: a cluster, traffic, and faults injected
// one after another while the traffic runs.
type scenario struct {
	size   int
	faults []Fault
	// until, when set, makes the nemesis pick random faults from the list
	// until this much time has passed (soak runs).
	until time.Duration
	// plainAsQuorum plants a bug (Workload.PlainReadsAsQuorum).
	plainAsQuorum bool
	// snapshotCount and catchUp lower --snapshot-count and the entries kept
	// after a snapshot, so snapshots happen during the run.
	snapshotCount, catchUp uint64
	// memFS puts the members' disks on vfs.MemFS, so crashes lose what was
	// not fsynced.
	memFS bool
	// plantedBug: the run has a bug planted and the caller expects the
	// checkers to find it; violations are then not test failures.
	plantedBug bool
}

// runScenario runs the workload against a fresh in-process cluster while
// the nemesis injects sc's faults, then heals everything, writes a final
// key that must succeed, and checks the whole history.
func runScenario(t *testing.T, sc scenario) Result {
	seed := Seed(t)
	dir := ArtifactsDir(t, seed)
	hint := ReplayHint(t, "./tests/linearizability", seed, dir)
	t.Logf("seed %d", seed)
	c := cluster.New(t, cluster.Config{Size: sc.size, Dir: filepath.Join(dir, "data"), Seed: seed,
		SnapshotCount: sc.snapshotCount, SnapshotCatchUpEntries: sc.catchUp, MemFS: sc.memFS})
	rec := NewRecorder()
	w := &Workload{Seed: seed, PlainReadsAsQuorum: sc.plainAsQuorum}
	w.defaults()

	wctx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	// A recursive stream on every member, and a long-poll watch of one key;
	// each carries on on another member when its own lost its history.
	var watchers []*Watcher
	for i := range c.Size() {
		watchers = append(watchers, Watch(wctx, rec, c.MemberClient(i), WatchSpec{Member: i, Key: w.Prefix, Recursive: true, Stream: true, Start: 2}, others(c, i)...))
	}
	watchers = append(watchers, Watch(wctx, rec, c.MemberClient(0), WatchSpec{Member: 0, Key: w.Key(0), Start: 2}, others(c, 0)...))
	n := runTraffic(t, c, rec, w, sc, seed)
	for _, note := range n.Notes() {
		if note.Tag == "nemesis" {
			t.Logf("%6.2fs-%6.2fs %s", float64(note.Start)/1e9, float64(note.End)/1e9, note.Description)
		}
	}
	if errs := n.Errs(); len(errs) > 0 {
		t.Errorf("faults failed: %v\n%s", errs, hint)
	}
	if fails := c.Failures(); len(fails) > 0 {
		t.Errorf("members failed during the run: %v\n%s", fails, hint)
	}

	final, finalIndex := finish(t, c, rec, w, watchers)
	stopWatch()
	run := Run{Records: rec.Records(), Final: final, FinalIndex: finalIndex, Notes: n.Notes(), Dir: dir, Timeout: 60 * time.Second, Visual: os.Getenv("SKIFF_HTML") != ""}
	for _, wt := range watchers {
		wl := wt.Log()
		wl.EndsEarly = c.Removed(wl.Member)
		run.Watches = append(run.Watches, wl)
	}
	res := Check(run)
	t.Logf("%d records; %s", len(run.Records), res.Summary())
	if res.Failed() && !sc.plainAsQuorum && !sc.plantedBug {
		t.Errorf("%s\n%s\nHTML: %s", res.Summary(), hint, res.HTML)
	}
	if ok := succeeded(run.Records); ok < 100 {
		t.Errorf("only %d operations succeeded: the run proves little\n%s", ok, hint)
	}
	if t.Failed() && sc.memFS {
		if err := c.DumpDisks(filepath.Join(dir, "disks")); err != nil {
			t.Logf("dumping the MemFS disks: %v", err)
		}
	}
	return res
}

// others are clients of every member but i.
func others(c *cluster.Cluster, i int) []*client.Client {
	var out []*client.Client
	for j := range c.Size() {
		if j != i {
			out = append(out, c.MemberClient(j))
		}
	}
	return out
}

// runTraffic drives the workload while the nemesis injects the faults:
// half a second of calm first, and 700ms after the last fault.
func runTraffic(t *testing.T, c *cluster.Cluster, rec *Recorder, w *Workload, sc scenario, seed uint64) *Nemesis {
	ctx, cancel := context.WithCancel(context.Background())
	var clients []*client.Client
	for i := range c.Size() {
		clients = append(clients, c.MemberClient(i))
	}
	n := &Nemesis{C: c, Rng: rand.New(rand.NewPCG(seed, 1<<32)), Rec: rec, Ctx: ctx}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); w.Run(ctx, rec, clients) }()
	go func() { defer wg.Done(); n.MonitorLeader(ctx) }()

	n.sleep(500 * time.Millisecond)
	if sc.until > 0 {
		deadline := time.Now().Add(sc.until)
		for time.Now().Before(deadline) {
			f := sc.faults[n.Rng.IntN(len(sc.faults))]
			t.Logf("fault %s", f.Name)
			f.Inject(n)
			n.sleep(time.Duration(200+n.Rng.IntN(800)) * time.Millisecond)
		}
	} else {
		for _, f := range sc.faults {
			f.Inject(n)
			n.sleep(300 * time.Millisecond)
		}
	}
	n.sleep(700 * time.Millisecond)
	cancel()
	wg.Wait()
	return n
}

// finish heals the cluster, restarts whoever is down, writes the first key
// through a fresh client (it must succeed: the run's last word), waits
// until the members agree and every watcher saw the final write, and
// returns the workload's keys as the members hold them and the final
// write's index.
func finish(t *testing.T, c *cluster.Cluster, rec *Recorder, w *Workload, watchers []*Watcher) (map[string]string, uint64) {
	t.Helper()
	c.Heal()
	c.SetMessageFaults(nil)
	for i := range c.Size() {
		c.SkewClock(i, 0)
	}
	c.RestartAll()
	c.WaitLeader()
	finalKey := w.Key(0) // every watcher covers it
	var idx uint64
	for attempt := 0; idx == 0; attempt++ {
		m := attempt % c.Size()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		r := Send(ctx, rec, c.MemberClient(m), m, Input{Kind: Set, Key: finalKey, Value: fmt.Sprintf("final-%d", attempt)}, false)
		cancel()
		r.Client = rec.NewClientID()
		rec.Add(r)
		if !r.Output.Unknown {
			idx = r.Output.Index
		} else if attempt == 10 {
			t.Fatalf("the final write failed 10 times after healing: %s", r.Err)
		}
	}
	c.WaitStoreIndex(idx)
	c.WaitConverged()
	deadline := time.Now().Add(cluster.WaitTimeout)
	for _, wt := range watchers {
		for !c.Removed(wt.Spec.Member) && wt.LastIndex() < idx && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
	}
	quiet(watchers)
	for i := range c.Size() {
		if c.Running(i) {
			return finalKeys(t, c.MemberClient(i), w.Prefix), idx
		}
	}
	t.Fatal("no member is running")
	return nil, 0
}

// quiet waits (up to 5s) until the watchers have seen nothing new for
// 300ms: a write whose client gave up may still commit after the final one,
// and the final state read next must be in the event log.
func quiet(watchers []*Watcher) {
	count := func() (n uint64) {
		for _, wt := range watchers {
			n += wt.LastIndex()
		}
		return n
	}
	deadline := time.Now().Add(5 * time.Second)
	for last := count(); time.Now().Before(deadline); {
		time.Sleep(300 * time.Millisecond)
		now := count()
		if now == last {
			return
		}
		last = now
	}
}

// finalKeys reads the workload's keys (quorum, recursive).
func finalKeys(t *testing.T, cl *client.Client, prefix string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	keys, _, err := ReadKeys(ctx, cl, prefix, true)
	if err != nil {
		t.Fatalf("reading the final key space: %v", err)
	}
	return keys
}

func succeeded(records []Record) int {
	n := 0
	for _, r := range records {
		if !r.Output.Failed && !r.Output.Unknown {
			n++
		}
	}
	return n
}
