package server

import (
	"context"
	"sync"
	"testing"
	"time"
)

// BenchmarkLinearizableRead measures quorum reads' wait on a three-member
// cluster's leader, 64 at a time as `skiffctl check perf --clients 64`
// drives them: with ctx=timeout each read has its own timeout, as v2http's
// quorumGet gives it; with ctx=none it has none, which shows what the wait
// itself costs (the handoff to the shared ReadIndex round and the wake-up;
// the rounds' own costs are shared by the reads in them). allocs/op is
// exact; ns/op depends on the loopback round trip.
func BenchmarkLinearizableRead(b *testing.B) {
	c := newTestCluster(b, 3, "--heartbeat-interval", "100", "--election-timeout", "1000")
	s := c.members[c.waitLeader()].s
	for _, timeout := range []bool{true, false} {
		b.Run(map[bool]string{true: "ctx=timeout", false: "ctx=none"}[timeout], func(b *testing.B) {
			b.SetParallelism(32) // 64 readers on 2 cores
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					ctx, cancel := context.Background(), context.CancelFunc(func() {})
					if timeout {
						ctx, cancel = context.WithTimeout(ctx, 7*time.Second)
					}
					err := s.LinearizableRead(ctx)
					cancel()
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// Many readers, many rounds: only the first read of each round wakes the
// read loop, and no read is left waiting for a round nobody started.
func TestLinearizableReadsEveryRoundStarts(t *testing.T) {
	c := newTestCluster(t, 1)
	s := c.members[0].s
	var wg sync.WaitGroup
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				err := s.LinearizableRead(ctx)
				cancel()
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
