package client

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	etcdBinary    = "/usr/bin/etcd"
	etcdctlBinary = "/usr/bin/etcdctl"
)

// realEtcd is one member process (etcd 3.4, or skiff, which takes the same
// flags) started by a test and killed when it ends.
type realEtcd struct {
	name      string
	clientURL string
	peerURL   string
	dataDir   string
	log       *lockedBuffer
	exited    chan error // receives the process's exit, once
	kill      func()     // kills the process and waits for it; safe to call twice
}

// lockedBuffer collects a process's output while tests read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startEtcd starts a single-member etcd on free ports, or skips the test
// when etcd is not installed.
func startEtcd(t *testing.T) *realEtcd {
	t.Helper()
	skipWithoutEtcd(t)
	return startCluster(t, etcdBinary, 1)[0]
}

// startEtcdCluster starts an n-member etcd cluster with extra flags.
func startEtcdCluster(t *testing.T, n int, extra ...string) []*realEtcd {
	t.Helper()
	skipWithoutEtcd(t)
	return startCluster(t, etcdBinary, n, extra...)
}

func skipWithoutEtcd(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(etcdBinary); err != nil {
		t.Skipf("%s is not installed; the tests against real etcd need it (Debian package etcd-server)", etcdBinary)
	}
}

// startSkiff starts the skiff binary named by $SKIFF_BIN like etcd, or
// skips the test when the variable is not set.
func startSkiff(t *testing.T) *realEtcd {
	t.Helper()
	bin := os.Getenv("SKIFF_BIN")
	if bin == "" {
		t.Skip("set SKIFF_BIN to a skiff binary (go build -o /tmp/skiff ./cmd/skiff) to run the client suite against skiff")
	}
	return startCluster(t, bin, 1)[0]
}

// startCluster starts n members of bin on free ports with etcd's bootstrap
// flags and waits until each says it is healthy. It tries again with new
// ports if a pick was taken in between.
func startCluster(t *testing.T, bin string, n int, extra ...string) []*realEtcd {
	t.Helper()
	var lastErr error
	for range 3 {
		members, err := tryStartCluster(t, bin, n, extra)
		if err == nil {
			return members
		}
		lastErr = err
	}
	t.Fatalf("could not start %d × %s: %v", n, bin, lastErr)
	return nil
}

func tryStartCluster(t *testing.T, bin string, n int, extra []string) ([]*realEtcd, error) {
	members := make([]*realEtcd, n)
	var initial []string
	for i := range members {
		name := "default"
		if n > 1 {
			name = fmt.Sprintf("m%d", i+1)
		}
		members[i] = &realEtcd{
			name:      name,
			clientURL: fmt.Sprintf("http://127.0.0.1:%d", freePort(t)),
			peerURL:   fmt.Sprintf("http://127.0.0.1:%d", freePort(t)),
			dataDir:   t.TempDir(),
			log:       &lockedBuffer{},
		}
		initial = append(initial, name+"="+members[i].peerURL)
	}
	for _, m := range members {
		if err := m.start(t, bin, strings.Join(initial, ","), extra); err != nil {
			return nil, err
		}
	}
	for _, m := range members {
		if err := m.waitHealthy(15 * time.Second); err != nil {
			for _, m := range members {
				m.kill()
			}
			return nil, err
		}
	}
	return members, nil
}

// start runs the member's process; it is killed when the test ends.
func (e *realEtcd) start(t *testing.T, bin, initialCluster string, extra []string) error {
	args := append([]string{"--enable-v2", "--data-dir", e.dataDir, "--name", e.name,
		"--listen-client-urls", e.clientURL, "--advertise-client-urls", e.clientURL,
		"--listen-peer-urls", e.peerURL, "--initial-advertise-peer-urls", e.peerURL,
		"--initial-cluster", initialCluster, "--initial-cluster-token", "client-test"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = e.log, e.log
	if err := cmd.Start(); err != nil {
		return err
	}
	e.exited = make(chan error, 1)
	go func() { e.exited <- cmd.Wait() }()
	var once sync.Once
	e.kill = func() {
		once.Do(func() {
			_ = cmd.Process.Kill()
			<-e.exited
		})
	}
	t.Cleanup(e.kill)
	return nil
}

// waitHealthy waits until GET /health says true, the process exits, or d
// passes.
func (e *realEtcd) waitHealthy(d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		select {
		case err := <-e.exited:
			e.exited <- err // keep it for kill
			return fmt.Errorf("%s exited (%v): %s", e.name, err, lastLines(e.log.String(), 3))
		case <-time.After(100 * time.Millisecond):
		}
		if healthy(e.clientURL) {
			return nil
		}
	}
	return fmt.Errorf("%s did not become healthy in %v: %s", e.name, d, lastLines(e.log.String(), 3))
}

// healthy reports whether GET /health says true.
func healthy(url string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/health", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// freePort returns a TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " | ")
}

// etcdctl runs etcdctl (API v2) against e with args and returns its
// stdout, stderr and exit code; it skips the test when etcdctl is absent.
func (e *realEtcd) etcdctl(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	if _, err := os.Stat(etcdctlBinary); err != nil {
		t.Skipf("%s is not installed (Debian package etcd-client)", etcdctlBinary)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, etcdctlBinary, append([]string{"--endpoints", e.clientURL, "--no-sync"}, args...)...)
	cmd.Env = append(os.Environ(), "ETCDCTL_API=2")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("etcdctl %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// curlLines picks the "cURL Command: " lines out of etcdctl --debug output.
func curlLines(stderr string) []string {
	var out []string
	for _, l := range strings.Split(stderr, "\n") {
		if s, ok := strings.CutPrefix(l, "cURL Command: "); ok {
			out = append(out, s)
		}
	}
	return out
}
