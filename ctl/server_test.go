package ctl

import (
	"os"
	"testing"
	"time"

	"skiff/internal/etcdtest"
)

// TestMain removes the skiff binary the tests built, if any.
func TestMain(m *testing.M) { etcdtest.Main(m) }

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

// skiffBinary returns $SKIFFCTL_TEST_SERVER, or skiff's server built once
// per test binary (skipped with -short).
func skiffBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("SKIFFCTL_TEST_SERVER"); bin != "" {
		return bin
	}
	return etcdtest.BuildSkiff(t)
}

// stableIndexQuiet is how long the store index must stay put before a
// script starts: a new member (etcd's and skiff's alike) publishes its
// attributes and then sets the cluster version, skiff's 200 ms later.
const stableIndexQuiet = 500 * time.Millisecond
