package cluster

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"skiff/client"
	"skiff/server"
)

// Config describes the cluster a test wants. The zero value (apart from
// Size) gives a fast-electing cluster with the server's defaults otherwise.
type Config struct {
	// Size is the number of members; 1 when zero.
	Size int
	// Heartbeat and Election are --heartbeat-interval and
	// --election-timeout. Defaults 50ms and 500ms: ten times quicker than
	// etcd's, so tests elect in well under a second, yet slow enough that
	// a 2-core machine busy with other tests does not flap leaders.
	Heartbeat, Election time.Duration
	// SnapshotCount is --snapshot-count; 0 keeps the server's default.
	SnapshotCount uint64
	// SnapshotCatchUpEntries is passed to server.Options; 0 keeps the
	// server's default.
	SnapshotCatchUpEntries uint64
	// Extra flags are appended to every member's command line.
	Extra []string
	// MemFS keeps each member's WAL and snapshots in a vfs.MemFS, which
	// knows what was fsynced: Crash and CrashAll then lose what a power
	// failure would. The data dirs are then not on disk.
	MemFS bool
	// Seed seeds the message faults' random draws (SetMessageFaults).
	Seed uint64
	// Dir is where the data dirs and logs go; "" means t.TempDir(). Soak
	// and robustness tests point it at an artifacts dir that outlives the
	// test when it fails.
	Dir string
}

// Cluster is a set of in-process members. Its methods may be called from
// several goroutines (a fault injector beside the workload).
type Cluster struct {
	t     testing.TB
	cfg   Config
	root  string
	token string

	mmu     sync.RWMutex
	members []*Member // grows when AddMember adds one; never shrinks

	mu      sync.Mutex
	blocked map[[2]int]bool // {from, to}: messages from → to are dropped

	failed   map[*server.Server]bool // servers that stopped on their own
	failures []string
	closed   atomic.Bool

	faults     atomic.Pointer[MessageFaults]
	rngMu      sync.Mutex
	rng        *rand.Rand // the message faults' draws
	faultStats MessageFaultStats
}

// New starts cfg.Size members and waits until they agree on a leader. The
// members are stopped when the test ends.
func New(t testing.TB, cfg Config) *Cluster {
	t.Helper()
	if cfg.Size == 0 {
		cfg.Size = 1
	}
	if cfg.Heartbeat == 0 {
		cfg.Heartbeat = 50 * time.Millisecond
	}
	if cfg.Election == 0 {
		cfg.Election = 500 * time.Millisecond
	}
	root := cfg.Dir
	if root == "" {
		root = t.TempDir()
	} else if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	c := &Cluster{t: t, cfg: cfg, root: root, token: fmt.Sprintf("skiff-test-%d", time.Now().UnixNano()), blocked: map[[2]int]bool{}, rng: newFaultRand(cfg.Seed)}
	for i := range cfg.Size {
		m, err := newMember(c, i)
		if err != nil {
			c.Close()
			t.Fatal(err)
		}
		c.addToList(m)
	}
	t.Cleanup(c.Close)
	for i := range c.list() {
		if err := c.start(i); err != nil {
			t.Fatal(err)
		}
	}
	c.WaitLeader()
	return c
}

// list is the members, safe to range over while AddMember runs.
func (c *Cluster) list() []*Member {
	c.mmu.RLock()
	defer c.mmu.RUnlock()
	return c.members
}

func (c *Cluster) addToList(m *Member) {
	c.mmu.Lock()
	defer c.mmu.Unlock()
	c.members = append(c.members, m)
}

// Size is the number of members ever in the cluster, running, down or
// removed.
func (c *Cluster) Size() int { return len(c.list()) }

// Member returns member i.
func (c *Cluster) Member(i int) *Member { return c.list()[i] }

// Root is the directory holding every member's data dir and log.
func (c *Cluster) Root() string { return c.root }

// initialCluster is --initial-cluster for the members.
func (c *Cluster) initialCluster() string {
	var parts []string
	for _, m := range c.list() {
		if !m.removed.Load() {
			parts = append(parts, m.Name+"=http://"+m.PeerAddr)
		}
	}
	return strings.Join(parts, ",")
}

// ClientURLs are every member's client URL, running or not.
func (c *Cluster) ClientURLs() []string {
	var urls []string
	for _, m := range c.list() {
		urls = append(urls, m.ClientURL())
	}
	return urls
}

// Client returns a skiff/client for the given endpoints (every member when
// none are given). A client for one endpoint never retries a request on
// another member, which a linearizability workload needs: a retried write
// could be applied twice.
func (c *Cluster) Client(endpoints ...string) *client.Client {
	c.t.Helper()
	if len(endpoints) == 0 {
		endpoints = c.ClientURLs()
	}
	cl, err := client.New(client.Config{Endpoints: endpoints})
	if err != nil {
		c.t.Fatal(err)
	}
	return cl
}

// MemberClient returns a client pinned to member i.
func (c *Cluster) MemberClient(i int) *client.Client {
	c.t.Helper()
	return c.Client(c.list()[i].ClientURL())
}

// Close stops every running member gracefully, and fails the test if a
// member had stopped on its own (Failures). It is safe to call twice.
func (c *Cluster) Close() {
	if fails := c.Failures(); len(fails) > 0 && !c.closed.Swap(true) {
		c.t.Errorf("members failed during the test: %v", fails)
	}
	var wg sync.WaitGroup
	for _, m := range c.list() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.stop(true)
		}()
	}
	wg.Wait()
	for _, m := range c.list() {
		m.closeLog()
	}
}

// LogPath is where member i's log is written.
func (c *Cluster) LogPath(i int) string {
	return filepath.Join(c.root, c.list()[i].Name+".log")
}
