package ctl

import (
	"os"
	"testing"

	"skiff/internal/etcdtest"
)

// startServer starts a fresh single-member v2 server for a test and returns
// its client URL; the server is stopped when the test ends. It is real etcd
// (skipped when etcd is not installed, and with -short) unless
// SKIFFCTL_TEST_SERVER names another binary that takes etcd's flags, such
// as skiff's:
//
//	make build && SKIFFCTL_TEST_SERVER=$PWD/bin/skiff go test ./ctl
//
// Then every golden and tutorial test checks that server against the
// bytes etcdctl printed.
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
