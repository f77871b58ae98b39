package ctl

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

// startServer starts a fresh single-member v2 server for a test and returns
// its client URL; the server is stopped when the test ends. It is real etcd
// (skipped when etcd is not installed) unless SKIFFCTL_TEST_SERVER names
// another binary that takes etcd's flags, such as skiff's:
//
//	make build && SKIFFCTL_TEST_SERVER=$PWD/bin/skiff go test ./ctl
//
// Then every golden and tutorial test checks that server against the
// bytes etcdctl printed.
func startServer(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("SKIFFCTL_TEST_SERVER"); bin != "" {
		return startBinary(t, bin)
	}
	return startEtcd(t)
}

// etcdBinary is the real etcd the differential tests use.
const etcdBinary = "/usr/bin/etcd"

// startEtcd runs the real etcd, or skips the test without it.
func startEtcd(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(etcdBinary); err != nil {
		t.Skipf("real etcd is not installed at %s; install etcd-server 3.4 to run this test", etcdBinary)
	}
	return startBinary(t, etcdBinary)
}

// startBinary runs bin with etcd's flags (--enable-v2, one member) on free
// ports in a temporary data dir and waits until /health says true.
func startBinary(t *testing.T, bin string) string {
	t.Helper()
	client, peer := freePort(t), freePort(t)
	curl := fmt.Sprintf("http://127.0.0.1:%d", client)
	purl := fmt.Sprintf("http://127.0.0.1:%d", peer)
	dir := t.TempDir()
	cmd := exec.Command(bin, "--enable-v2", "--data-dir", filepath.Join(dir, "data"), "--name", "default",
		"--listen-client-urls", curl, "--advertise-client-urls", curl,
		"--listen-peer-urls", purl, "--initial-advertise-peer-urls", purl,
		"--initial-cluster", "default="+purl)
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		logf.Close()
	})
	waitHealthy(t, curl, filepath.Join(dir, "server.log"), exited)
	return curl
}

// waitHealthy polls /health until the server says true, or fails the test
// with the server's log when it exits or after 15 s.
func waitHealthy(t *testing.T, url, logPath string, exited <-chan struct{}) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			log, _ := os.ReadFile(logPath)
			t.Fatalf("server for %s exited before it was healthy; log:\n%s", url, log)
		default:
		}
		resp, err := http.Get(url + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	log, _ := os.ReadFile(logPath)
	t.Fatalf("server at %s not healthy after 15s; log:\n%s", url, log)
}

// freePort asks the kernel for a free TCP port on 127.0.0.1.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
