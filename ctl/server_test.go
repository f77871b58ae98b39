package ctl

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"skiff/internal/etcdtest"
)

// TestMain removes the skiff binary the tests built, if any.
func TestMain(m *testing.M) {
	code := m.Run()
	if skiffBuild.dir != "" {
		os.RemoveAll(skiffBuild.dir)
	}
	os.Exit(code)
}

// server is one v2 server the golden and tutorial tests run against.
type server struct {
	name  string
	start func(t *testing.T) string // a fresh member's client URL
}

// servers are the real etcd and skiff: every golden and tutorial step is
// checked on both against the bytes etcdctl printed.
var servers = []server{{"etcd", startEtcd}, {"skiff", startSkiff}}

// startServer starts a fresh single-member v2 server for a test and returns
// its client URL; the server is stopped when the test ends. It is real etcd
// (skipped when etcd is not installed, and with -short) unless
// SKIFFCTL_TEST_SERVER names another binary that takes etcd's flags.
func startServer(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("SKIFFCTL_TEST_SERVER"); bin != "" {
		return etcdtest.Start(t, etcdtest.Binary(bin)).ClientURL
	}
	return startEtcd(t)
}

// startEtcd starts the real etcd and returns its client URL, or skips the
// test without it.
func startEtcd(t *testing.T) string {
	t.Helper()
	return etcdtest.Start(t).ClientURL
}

// startSkiff starts skiff's server, built from ./cmd/skiff once per test
// binary (or the binary SKIFFCTL_TEST_SERVER names), and returns its
// client URL. With -short it skips: the build takes seconds.
func startSkiff(t *testing.T) string {
	t.Helper()
	return etcdtest.Start(t, etcdtest.Binary(skiffBinary(t))).ClientURL
}

// skiffBuild is the skiff binary built for this test binary; TestMain
// removes its directory.
var skiffBuild struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// skiffBinary returns $SKIFFCTL_TEST_SERVER, or builds ./cmd/skiff from the
// module root into a temporary directory the first time it is called.
func skiffBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("SKIFFCTL_TEST_SERVER"); bin != "" {
		return bin
	}
	if testing.Short() {
		t.Skip("-short: not building skiff's server")
	}
	skiffBuild.once.Do(func() {
		gomod, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			skiffBuild.err = err
			return
		}
		if skiffBuild.dir, err = os.MkdirTemp("", "skiffctl-test-"); err != nil {
			skiffBuild.err = err
			return
		}
		bin := filepath.Join(skiffBuild.dir, "skiff")
		build := exec.Command("go", "build", "-o", bin, "./cmd/skiff")
		build.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
		if out, err := build.CombinedOutput(); err != nil {
			skiffBuild.err = fmt.Errorf("go build ./cmd/skiff in %s: %v\n%s", build.Dir, err, out)
			return
		}
		skiffBuild.bin = bin
	})
	if skiffBuild.err != nil {
		t.Fatalf("building skiff's server: %v", skiffBuild.err)
	}
	return skiffBuild.bin
}

// stableIndexQuiet is how long the store index must stay put before a
// script starts: a new member (etcd's and skiff's alike) publishes its
// attributes and then sets the cluster version, skiff's 200 ms later.
const stableIndexQuiet = 500 * time.Millisecond
