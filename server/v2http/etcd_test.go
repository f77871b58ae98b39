package v2http

import (
	"testing"
	"time"

	"skiff/internal/etcdtest"
)

// startEtcd starts a single-member etcd 3.4 with the v2 API (skipped
// without it, and with -short) and returns its client URL once its store
// index has settled: the member publishes its attributes and the cluster
// version just after it is healthy, internal writes that move the store
// index (§1.11).
func startEtcd(t *testing.T) string {
	t.Helper()
	url := etcdtest.Start(t).ClientURL
	etcdtest.WaitStableIndex(t, url, 300*time.Millisecond)
	return url
}
