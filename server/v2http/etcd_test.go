package v2http

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// etcdBinary is the real etcd the differential tests compare against.
const etcdBinary = "/usr/bin/etcd"

// startEtcd starts a single-member etcd 3.4 with the v2 API on free ports in
// a temporary data dir and returns its client URL. The process is killed and
// reaped when the test ends. Without /usr/bin/etcd the test is skipped.
func startEtcd(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(etcdBinary); err != nil {
		t.Skipf("differential test needs real etcd at %s: %v", etcdBinary, err)
	}
	if testing.Short() {
		t.Skip("differential test against real etcd skipped in -short mode")
	}
	dir := t.TempDir()
	client, peer := freeURL(t), freeURL(t)
	cmd := exec.Command(etcdBinary, "--enable-v2", "--data-dir", filepath.Join(dir, "data"), "--name", "default",
		"--listen-client-urls", client, "--advertise-client-urls", client,
		"--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
		"--initial-cluster", "default="+peer)
	logFile, err := os.Create(filepath.Join(dir, "etcd.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting etcd: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logFile.Close()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(client + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logFile.Name())
			t.Fatalf("etcd did not become healthy within 30s; its log:\n%s", log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Let the member publish its attributes and the cluster version, the
	// internal writes that move the store index at startup (§1.11).
	waitStableIndex(t, client)
	return client
}

// freeURL returns http://127.0.0.1:<port> for a port that was free a moment
// ago.
func freeURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprintf("http://%s", l.Addr())
}

// waitStableIndex waits until etcd's store index stops moving.
func waitStableIndex(t *testing.T, base string) {
	t.Helper()
	last, same := "", 0
	for i := 0; i < 100 && same < 3; i++ {
		idx := call(t, "GET", base+"/v2/keys", "").header.Get("X-Etcd-Index")
		if idx == last {
			same++
		} else {
			last, same = idx, 0
		}
		time.Sleep(100 * time.Millisecond)
	}
}
