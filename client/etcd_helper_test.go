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
	"testing"
	"time"
)

const (
	etcdBinary    = "/usr/bin/etcd"
	etcdctlBinary = "/usr/bin/etcdctl"
)

// realEtcd is one single-member server with the v2 API on (etcd 3.4, or
// skiff, which takes the same flags), started by a test and killed when it
// ends.
type realEtcd struct {
	clientURL string
	peerURL   string
	dataDir   string
	log       *bytes.Buffer
}

// startEtcd starts etcd on free ports, or skips the test when etcd is not
// installed.
func startEtcd(t *testing.T) *realEtcd {
	t.Helper()
	if _, err := os.Stat(etcdBinary); err != nil {
		t.Skipf("%s is not installed; the tests against real etcd need it (Debian package etcd-server)", etcdBinary)
	}
	return startServer(t, etcdBinary)
}

// startSkiff starts the skiff binary named by $SKIFF_BIN like etcd, or
// skips the test when the variable is not set.
func startSkiff(t *testing.T) *realEtcd {
	t.Helper()
	bin := os.Getenv("SKIFF_BIN")
	if bin == "" {
		t.Skip("set SKIFF_BIN to a skiff binary (go build -o /tmp/skiff ./cmd/skiff) to run the client suite against skiff")
	}
	return startServer(t, bin)
}

// startServer starts bin with etcd's single-member flags on free ports,
// trying another pair of ports if the first pick was taken in between.
func startServer(t *testing.T, bin string) *realEtcd {
	t.Helper()
	var lastErr error
	for range 3 {
		e, err := tryStartServer(t, bin)
		if err == nil {
			return e
		}
		lastErr = err
	}
	t.Fatalf("could not start %s: %v", bin, lastErr)
	return nil
}

func tryStartServer(t *testing.T, bin string) (*realEtcd, error) {
	cport, pport := freePort(t), freePort(t)
	e := &realEtcd{
		clientURL: fmt.Sprintf("http://127.0.0.1:%d", cport),
		peerURL:   fmt.Sprintf("http://127.0.0.1:%d", pport),
		dataDir:   t.TempDir(),
		log:       &bytes.Buffer{},
	}
	cmd := exec.Command(bin, "--enable-v2", "--data-dir", e.dataDir, "--name", "default",
		"--listen-client-urls", e.clientURL, "--advertise-client-urls", e.clientURL,
		"--listen-peer-urls", e.peerURL, "--initial-advertise-peer-urls", e.peerURL,
		"--initial-cluster", "default="+e.peerURL)
	cmd.Stdout, cmd.Stderr = e.log, e.log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return nil, fmt.Errorf("%s exited (%v): %s", bin, err, lastLines(e.log.String(), 3))
		case <-time.After(100 * time.Millisecond):
		}
		if healthy(e.clientURL) {
			t.Cleanup(stop)
			return e, nil
		}
	}
	stop()
	return nil, fmt.Errorf("%s did not become healthy in 15s: %s", bin, lastLines(e.log.String(), 3))
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
