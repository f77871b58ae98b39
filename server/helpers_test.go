package server

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"skiff/server/config"
	"skiff/store"
	"skiff/wal/vfs"
)

// testCluster is a small in-process cluster on loopback for this package's
// tests: each member has its own data dir under t.TempDir and listeners on
// port 0 that keep their ports across restarts. (The multi-member harness for
// the rest of the project lives in tests/.)
type testCluster struct {
	t       testing.TB
	members []*testMember
	extra   []string // flags added to every member's command line
	opts    Options  // options for every member (the logger is set per member)
	scheme  string   // of the peer and client URLs: "http" unless a test sets "https"
}

type testMember struct {
	name       string
	dir        string
	peerAddr   string
	clientAddr string
	// peerLn and clientLn are listening since the cluster was made, so no
	// other process can take their ports before the first start; restarts
	// listen on the same addresses again.
	peerLn, clientLn net.Listener
	extra            []string // flags for this member only
	fs               vfs.FS   // the member's file system; nil means the real one
	s                *Server
}

// newTestCluster starts n members and waits for a leader.
func newTestCluster(t testing.TB, n int, extra ...string) *testCluster {
	t.Helper()
	return newTestClusterWith(t, n, Options{}, extra...)
}

// newTestClusterWith is newTestCluster with options for every member.
func newTestClusterWith(t testing.TB, n int, opts Options, extra ...string) *testCluster {
	t.Helper()
	c := &testCluster{t: t, extra: extra, opts: opts, scheme: "http"}
	for _, f := range extra {
		if f == "--auto-tls" || f == "--peer-auto-tls" {
			c.scheme = "https"
		}
	}
	root := t.TempDir()
	c.launch(n, func(m *testMember) { m.dir = filepath.Join(root, m.name) })
	return c
}

// launch makes n members m1…mn on loopback listeners, with place choosing
// each one's data dir (and file system), starts them and waits for a leader.
func (c *testCluster) launch(n int, place func(m *testMember)) {
	c.t.Helper()
	for i := range n {
		m := &testMember{name: fmt.Sprintf("m%d", i+1)}
		place(m)
		m.peerLn, m.clientLn = listenLoopback(c.t), listenLoopback(c.t)
		m.peerAddr, m.clientAddr = m.peerLn.Addr().String(), m.clientLn.Addr().String()
		c.members = append(c.members, m)
	}
	for i := range c.members {
		c.start(i)
	}
	c.t.Cleanup(c.stopAll)
	c.waitLeader()
}

// listenLoopback listens on a free loopback port.
func listenLoopback(t testing.TB) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// freeAddr finds a free loopback port by listening on port 0.
func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func (c *testCluster) initialCluster() string {
	var parts []string
	for _, m := range c.members {
		parts = append(parts, m.name+"="+c.scheme+"://"+m.peerAddr)
	}
	return strings.Join(parts, ",")
}

func (c *testCluster) config(i int) *config.Config {
	m := c.members[i]
	args := []string{
		"--name", m.name, "--data-dir", m.dir,
		"--listen-peer-urls", c.scheme + "://" + m.peerAddr, "--initial-advertise-peer-urls", c.scheme + "://" + m.peerAddr,
		"--listen-client-urls", c.scheme + "://" + m.clientAddr, "--advertise-client-urls", c.scheme + "://" + m.clientAddr,
		"--initial-cluster", c.initialCluster(), "--initial-cluster-token", "test",
		"--heartbeat-interval", "20", "--election-timeout", "200",
	}
	args = append(append(args, c.extra...), m.extra...)
	cfg, err := config.Parse(args, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return cfg
}

// start starts (or restarts) member i on its data dir and ports.
func (c *testCluster) start(i int) {
	c.t.Helper()
	m := c.members[i]
	opts := c.opts
	opts.Logger = testLogger(m.name)
	if m.fs != nil {
		opts.FS = m.fs
	}
	if m.peerLn != nil {
		opts.PeerListeners, opts.ClientListeners = []net.Listener{m.peerLn}, []net.Listener{m.clientLn}
		m.peerLn, m.clientLn = nil, nil
	}
	s, err := New(c.config(i), opts)
	if err != nil {
		c.t.Fatalf("member %s: %v", m.name, err)
	}
	if err := s.Start(); err != nil {
		c.t.Fatalf("member %s: %v", m.name, err)
	}
	m.s = s
}

// testLogger logs to stderr when SKIFF_TEST_LOG is set, else discards.
func testLogger(name string) *slog.Logger {
	if os.Getenv("SKIFF_TEST_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("m", name)
}

func (c *testCluster) stopAll() {
	for _, m := range c.members {
		if m.s != nil {
			m.s.Stop()
		}
	}
}

// waitLeader waits until the running members agree on a leader and returns
// its index.
func (c *testCluster) waitLeader() int {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if i := c.agreedLeader(); i >= 0 {
			return i
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.t.Fatal("no leader elected within 10s")
	return -1
}

func (c *testCluster) agreedLeader() int {
	var lead uint64
	for _, m := range c.members {
		if m.s == nil || isDone(m.s) {
			continue
		}
		l64, _ := m.s.Leader()
		l := uint64(l64)
		if l == 0 || (lead != 0 && l != lead) {
			return -1
		}
		lead = l
	}
	for i, m := range c.members {
		if m.s != nil && !isDone(m.s) && uint64(m.s.ID()) == lead {
			return i
		}
	}
	return -1
}

func isDone(s *Server) bool {
	select {
	case <-s.Done():
		return true
	default:
		return false
	}
}

// put writes key=value through member i and fails the test on error.
func (c *testCluster) put(i int, key, value string) *store.Event {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ev, err := c.members[i].s.Do(ctx, &store.Request{Method: store.MethodPut, Namespace: store.Keys, Key: key, Value: value})
	if err != nil {
		c.t.Fatalf("PUT %s through %s: %v", key, c.members[i].name, err)
	}
	return ev
}

// get reads key locally on member i; "" and false when it is missing.
func (c *testCluster) get(i int, key string) (string, bool) {
	ev, err := c.members[i].s.Store().Get(store.Keys, key, false, false, time.Now())
	if err != nil || ev.Node == nil || ev.Node.Value == nil {
		return "", false
	}
	return *ev.Node.Value, true
}

// waitApplied waits until every running member has applied index.
func (c *testCluster) waitApplied(index uint64) {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, m := range c.members {
		if m.s == nil || isDone(m.s) {
			continue
		}
		for m.s.AppliedIndex() < index {
			if time.Now().After(deadline) {
				c.t.Fatalf("%s applied %d, want %d", m.name, m.s.AppliedIndex(), index)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// dumpKeys returns member i's user key space as JSON.
func (c *testCluster) dumpKeys(i int) string { return c.dumpDir(i, "/") }

// dumpDir returns the subtree at dir of member i's key space as JSON.
func (c *testCluster) dumpDir(i int, dir string) string {
	c.t.Helper()
	ev, err := c.members[i].s.Store().Get(store.Keys, dir, true, true, time.Time{})
	if err != nil {
		c.t.Fatal(err)
	}
	b, err := json.Marshal(ev.Node)
	if err != nil {
		c.t.Fatal(err)
	}
	return string(b)
}

// waitStoreIndex waits until every running member's store reached index.
func (c *testCluster) waitStoreIndex(index uint64) {
	c.t.Helper()
	waitFor(c.t, fmt.Sprintf("every member's store reaches index %d", index), func() bool {
		for _, m := range c.members {
			if m.s != nil && !isDone(m.s) && m.s.Store().Index() < index {
				return false
			}
		}
		return true
	})
}

// waitSameStores waits until every running member's store has the same
// hash: they applied the same entries.
func (c *testCluster) waitSameStores() {
	c.t.Helper()
	waitFor(c.t, "every member's store is the same", func() bool {
		var hash uint64
		for _, m := range c.members {
			if m.s == nil || isDone(m.s) {
				continue
			}
			if h := m.s.StoreHash(); hash == 0 {
				hash = h
			} else if h != hash {
				return false
			}
		}
		return true
	})
}

func mustURL(t testing.TB, raw string) []url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return []url.URL{*u}
}

// addMember makes a member that is not started yet (for joining): its
// listeners are open, and it is in the --initial-cluster of every member
// started from now on. It returns the member's index.
func (c *testCluster) addMember(extra ...string) int {
	m := &testMember{name: fmt.Sprintf("m%d", len(c.members)+1), extra: extra}
	m.dir = filepath.Join(filepath.Dir(c.members[0].dir), m.name)
	m.peerLn, m.clientLn = listenLoopback(c.t), listenLoopback(c.t)
	m.peerAddr, m.clientAddr = m.peerLn.Addr().String(), m.clientLn.Addr().String()
	c.members = append(c.members, m)
	return len(c.members) - 1
}
