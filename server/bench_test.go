package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"skiff/store"
)

// BenchmarkSequentialPutHTTP measures one client writing one key after
// another over HTTP to a one-member cluster: each PUT costs a WAL fsync.
//
//	go test ./server/ -run '^$' -bench SequentialPut -benchtime 2000x
func BenchmarkSequentialPutHTTP(b *testing.B) {
	c := newTestCluster(b, 1, "--heartbeat-interval", "100", "--election-timeout", "1000")
	client := &http.Client{}
	target := "http://" + c.members[0].clientAddr + "/v2/keys/bench"
	body := url.Values{"value": {"0123456789abcdef"}}.Encode()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest("PUT", target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			b.Fatalf("PUT: status %d", resp.StatusCode)
		}
	}
	b.StopTimer()
	reportMean(b, c.members[0].s, "etcd_disk_wal_fsync_duration_seconds", "fsync-ms")
	reportMean(b, c.members[0].s, "etcd_server_apply_duration_seconds", "apply-ms")
}

// reportMean reports the mean of one of the member's histograms, in ms.
func reportMean(b *testing.B, s *Server, name, unit string) {
	families, err := s.Registry().Gather()
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name && len(f.GetMetric()) == 1 {
			h := f.GetMetric()[0].GetHistogram()
			if h.GetSampleCount() > 0 {
				b.ReportMetric(1000*h.GetSampleSum()/float64(h.GetSampleCount()), unit)
			}
		}
	}
}

// BenchmarkParallelPutDo measures many concurrent writers on a three-member
// cluster through Server.Do on the leader: proposals batch into shared
// fsyncs.
func BenchmarkParallelPutDo(b *testing.B) {
	c := newTestCluster(b, 3, "--heartbeat-interval", "100", "--election-timeout", "1000")
	lead := c.waitLeader()
	s := c.members[lead].s
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			key := fmt.Sprintf("/p/%d", n.Add(1)%1000)
			if _, err := s.Do(context.Background(), &store.Request{Method: store.MethodPut, Namespace: store.Keys, Key: key, Value: "v"}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
