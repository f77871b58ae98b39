// Package etcdtest is skiff's one harness for tests that run the real
// etcd 3.4 next to skiff: it starts members on free ports in temporary data
// dirs (the real etcd, or any binary that takes etcd's flags, such as
// skiff's), waits until they are healthy, and runs etcdctl with the v2 API.
//
// Every process a test starts is killed and reaped when the test ends. Its
// output is kept (Member.Log) and printed when the start fails or the test
// fails. Only _test.go files import this package.
package etcdtest

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	// EtcdBinary is the real etcd, 3.4.23 (Debian package etcd-server).
	EtcdBinary = "/usr/bin/etcd"
	// EtcdctlBinary is the real etcdctl (Debian package etcd-client).
	EtcdctlBinary = "/usr/bin/etcdctl"
)

const (
	// startTimeout bounds the wait for /health: etcd 3.4 is healthy after
	// about a second alone, but a 3-member cluster on a loaded 2-core
	// machine needs several elections' worth of time.
	startTimeout = 30 * time.Second
	// startAttempts is how often a start is tried on new ports when a
	// process exits before it is healthy: a port picked by FreeURL can be
	// taken by someone else before the process binds it.
	startAttempts = 3
	// stopTimeout bounds the wait for a member to exit after SIGTERM.
	stopTimeout = 30 * time.Second
)

// Require skips the test when the real etcd is not installed, and in
// -short mode, since starting it takes a second or more.
func Require(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: not starting the real etcd")
	}
	if _, err := os.Stat(EtcdBinary); err != nil {
		t.Skipf("%s is not installed; tests against the real etcd need it (Debian package etcd-server 3.4)", EtcdBinary)
	}
}

// Option changes how Start and StartCluster run their members.
type Option func(*options)

type options struct {
	binary      string
	flags       []string
	env         []string
	commandLine func(m *Member) []string
	dataRoot    string
}

// Binary runs bin instead of the real etcd; it must take etcd's flags, as
// skiff's binary does. Require is not called then: the test runs wherever
// bin exists, -short included.
func Binary(bin string) Option {
	return func(o *options) { o.binary = bin }
}

// Flags adds flags after the bootstrap ones, for example
// Flags("--initial-cluster-token", "client-test").
func Flags(extra ...string) Option {
	return func(o *options) { o.flags = append(o.flags, extra...) }
}

// CommandLine replaces the bootstrap flags with what args returns for a
// member whose Name, URLs and DataDir are already chosen, for example
// --config-file and a file written from them. Flags still come after.
func CommandLine(args func(m *Member) []string) Option {
	return func(o *options) { o.commandLine = args }
}

// Env adds NAME=value entries to each member's environment, for example
// the SKIFF_* lines `skiffctl member add` prints.
func Env(kv ...string) Option {
	return func(o *options) { o.env = append(o.env, kv...) }
}

// DataRoot puts each member's data dir at dir/<name> and a copy of its
// output in dir/<name>.log, and keeps both when the test ends: for tests
// whose failures are investigated from the files (a crash test's
// artifacts). Without it data dirs live under t.TempDir().
func DataRoot(dir string) Option {
	return func(o *options) { o.dataRoot = dir }
}

// Start starts one member and returns it once /health says true; see
// StartCluster.
func Start(t testing.TB, opts ...Option) *Member {
	t.Helper()
	return StartCluster(t, 1, opts...)[0]
}

// StartCluster starts an n-member cluster with etcd's static bootstrap
// flags: --enable-v2, a data dir of its own under t.TempDir(), client and
// peer URLs on free ports of 127.0.0.1, the name "default" for a single
// member (etcd's default) and m1…mn otherwise. It returns once every
// member's /health says true. When a process exits before that because a
// port was taken, the whole cluster is started again on new ports (three
// tries in all); any other failed start fails the test with the log of the
// member that failed.
func StartCluster(t testing.TB, n int, opts ...Option) []*Member {
	t.Helper()
	o := options{binary: EtcdBinary}
	for _, opt := range opts {
		opt(&o)
	}
	if o.binary == EtcdBinary {
		Require(t)
	}
	var err error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		var members []*Member
		if members, err = tryStartCluster(t, n, o); err == nil {
			return members
		}
		var se *startError
		if !errors.As(err, &se) || !se.portTaken() || attempt == startAttempts {
			break
		}
		t.Logf("etcdtest: %s: %s; starting again on new ports", se.member.Name, lastLines(se.log, 1))
	}
	t.Fatalf("etcdtest: could not start %d × %s: %v", n, o.binary, err)
	return nil
}

// tryStartCluster makes one attempt; on failure no process is left running.
func tryStartCluster(t testing.TB, n int, o options) ([]*Member, error) {
	members := make([]*Member, n)
	var initial []string
	for i := range members {
		name := "default"
		if n > 1 {
			name = "m" + strconv.Itoa(i+1)
		}
		m := &Member{Name: name, ClientURL: FreeURL(t), PeerURL: FreeURL(t), bin: o.binary, env: o.env}
		if err := m.placeData(t, o.dataRoot); err != nil {
			return nil, err
		}
		members[i] = m
		initial = append(initial, name+"="+m.PeerURL)
	}
	for _, m := range members {
		if o.commandLine != nil {
			m.args = o.commandLine(m)
		} else {
			m.args = m.bootstrapFlags(strings.Join(initial, ","))
		}
		m.args = append(m.args, o.flags...)
		t.Cleanup(m.Kill)
		if err := m.start(); err != nil {
			killAll(members)
			return nil, err
		}
	}
	if err := waitHealthy(members, startTimeout); err != nil {
		killAll(members)
		return nil, err
	}
	for _, m := range members {
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("etcdtest: %s (%s) printed:\n%s", m.Name, m.ClientURL, m.Log())
			}
		})
	}
	return members, nil
}

// placeData picks the member's data dir and, under a data root, opens its
// log file; a data dir left by an earlier attempt is removed.
func (m *Member) placeData(t testing.TB, root string) error {
	if root == "" {
		m.DataDir = filepath.Join(t.TempDir(), "data")
		return nil
	}
	m.DataDir = filepath.Join(root, m.Name)
	if err := os.RemoveAll(m.DataDir); err != nil {
		return err
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(root, m.Name+".log"))
	if err != nil {
		return err
	}
	t.Cleanup(func() { f.Close() })
	m.LogFile, m.log.file = f.Name(), f
	return nil
}

// bootstrapFlags are etcd's flags for a new member of a static cluster.
func (m *Member) bootstrapFlags(initialCluster string) []string {
	return []string{"--enable-v2", "--data-dir", m.DataDir, "--name", m.Name,
		"--listen-client-urls", m.ClientURL, "--advertise-client-urls", m.ClientURL,
		"--listen-peer-urls", m.PeerURL, "--initial-advertise-peer-urls", m.PeerURL,
		"--initial-cluster", initialCluster}
}

func killAll(members []*Member) {
	for _, m := range members {
		if m != nil {
			m.Kill()
		}
	}
}

// waitHealthy waits until every member's /health says true. It gives up
// when one of them exits, or after d.
func waitHealthy(members []*Member, d time.Duration) error {
	deadline := time.Now().Add(d)
	up := make([]bool, len(members))
	for {
		all := true
		for i, m := range members {
			if err, exited := m.Exited(); exited {
				return &startError{member: m, exited: true, reason: fmt.Sprintf("exited (%v)", err), log: m.Log()}
			}
			if !up[i] {
				up[i] = healthy(m.ClientURL)
				all = all && up[i]
			}
		}
		if all {
			return nil
		}
		if time.Now().After(deadline) {
			for i, m := range members {
				if !up[i] {
					return &startError{member: m, reason: fmt.Sprintf("not healthy after %v", d), log: m.Log()}
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// startError says which member did not start and why, with its log.
type startError struct {
	member *Member
	exited bool // the process ended
	reason string
	log    string
}

func (e *startError) Error() string {
	if e.log == "" {
		return fmt.Sprintf("%s at %s %s", e.member.Name, e.member.ClientURL, e.reason)
	}
	return fmt.Sprintf("%s at %s %s; its log:\n%s", e.member.Name, e.member.ClientURL, e.reason, e.log)
}

// portTaken reports whether the process exited because one of its ports
// was taken after FreeURL picked it.
func (e *startError) portTaken() bool {
	return e.exited && strings.Contains(e.log, "address already in use")
}

// healthy reports whether GET url/health answers 200.
func healthy(url string) bool {
	c := http.Client{Timeout: time.Second}
	resp, err := c.Get(url + "/health")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// FreeURL returns http://127.0.0.1:<port> for a TCP port that was free a
// moment ago.
func FreeURL(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("etcdtest: no free port: %v", err)
	}
	defer l.Close()
	return "http://" + l.Addr().String()
}

// WaitStableIndex waits until the v2 store index at clientURL (the
// X-Etcd-Index of GET /v2/keys) has not moved for quiet, and returns it.
// A new etcd member writes its attributes and the cluster version just
// after it becomes healthy; a test that compares indexes waits for those.
// It fails the test if the index still moves after 30 s.
func WaitStableIndex(t testing.TB, clientURL string, quiet time.Duration) uint64 {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	last, since := storeIndex(t, clientURL), time.Now()
	for time.Since(since) < quiet {
		if time.Now().After(deadline) {
			t.Fatalf("etcdtest: the store index at %s still moves after 30 s (now %d)", clientURL, last)
		}
		time.Sleep(100 * time.Millisecond)
		if now := storeIndex(t, clientURL); now != last {
			last, since = now, time.Now()
		}
	}
	return last
}

func storeIndex(t testing.TB, clientURL string) uint64 {
	t.Helper()
	resp, err := http.Get(clientURL + "/v2/keys/")
	if err != nil {
		t.Fatalf("etcdtest: %v", err)
	}
	resp.Body.Close()
	n, err := strconv.ParseUint(resp.Header.Get("X-Etcd-Index"), 10, 64)
	if err != nil {
		t.Fatalf("etcdtest: GET %s/v2/keys/ has no X-Etcd-Index: %v", clientURL, err)
	}
	return n
}

// lastLines is the end of a log, for one-line messages.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " | ")
}
