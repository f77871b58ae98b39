package raft_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"skiff/raft"
	"skiff/raft/raftpb"
)

// benchCluster is a three-node in-memory cluster driven through the Ready
// loop with no disk and no network: messages are stepped straight into
// their destination.
type benchCluster struct {
	nodes    []*raft.Node
	storages []*raft.MemoryStorage
	applied  []uint64
	reads    int // ReadStates handed out, on any node
	// heartbeats counts the heartbeats sent; with delayed, messages wait
	// in inflight for the next pass.
	heartbeats int
	delayed    bool
	inflight   []raftpb.Message
}

func newBenchCluster(b *testing.B, n int) *benchCluster {
	c := &benchCluster{applied: make([]uint64, n)}
	voters := make([]uint64, n)
	for i := range voters {
		voters[i] = uint64(i + 1)
	}
	for _, id := range voters {
		s := raft.NewMemoryStorage()
		if err := s.Bootstrap(raftpb.ConfState{Voters: voters}); err != nil {
			b.Fatal(err)
		}
		node, err := raft.New(raft.Config{ID: id, Storage: s, Rand: rand.New(rand.NewPCG(id, 0)),
			MaxSizePerMsg: 1 << 20, MaxInflightMsgs: 256})
		if err != nil {
			b.Fatal(err)
		}
		c.nodes, c.storages = append(c.nodes, node), append(c.storages, s)
	}
	if err := c.nodes[0].Campaign(); err != nil {
		b.Fatal(err)
	}
	c.pump(b)
	return c
}

// pump runs the Ready loop on every node until none has work.
func (c *benchCluster) pump(b *testing.B) {
	for c.pass(b) {
	}
}

// pass handles one Ready on every node that has work and reports whether
// any had. Messages are stepped into their destination at once, or, with
// c.delayed, at the next pass (a network whose round trip spans passes).
func (c *benchCluster) pass(b *testing.B) bool {
	inflight := c.inflight
	c.inflight = nil
	for _, m := range inflight {
		if err := c.nodes[m.To-1].Step(m); err != nil {
			b.Fatal(err)
		}
	}
	busy := len(inflight) > 0
	for i, n := range c.nodes {
		if !n.HasReady() {
			continue
		}
		busy = true
		rd := n.Ready()
		s := c.storages[i]
		if !rd.HardState.IsEmpty() {
			s.SetHardState(rd.HardState)
		}
		if err := s.Append(rd.Entries); err != nil {
			b.Fatal(err)
		}
		for _, m := range rd.Messages {
			if m.Type == raftpb.MsgHeartbeat {
				c.heartbeats++
			}
			if c.delayed {
				c.inflight = append(c.inflight, m)
			} else if err := c.nodes[m.To-1].Step(m); err != nil {
				b.Fatal(err)
			}
		}
		c.reads += len(rd.ReadStates)
		if k := len(rd.CommittedEntries); k > 0 {
			c.applied[i] = rd.CommittedEntries[k-1].Index
		}
		n.Advance()
	}
	return busy
}

// BenchmarkCommit measures committing 100-byte proposals on a three-node
// cluster through the Ready loop (no disk, no network), proposals batched
// per Ready. One op is one committed entry, applied on every node.
func BenchmarkCommit(b *testing.B) {
	for _, batch := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			c := newBenchCluster(b, 3)
			data := make([]byte, 100)
			leader := c.nodes[0]
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			b.ResetTimer()
			for done := 0; done < b.N; {
				k := min(batch, b.N-done)
				for j := 0; j < k; j++ {
					if err := leader.Propose(data); err != nil {
						b.Fatal(err)
					}
				}
				c.pump(b)
				done += k
			}
			b.StopTimer()
			runtime.ReadMemStats(&ms1)
			want := leader.Status().LastIndex
			for i, a := range c.applied {
				if a != want {
					b.Fatalf("node %d applied %d of %d", i+1, a, want)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
			b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(b.N), "allocs/entry")
		})
	}
}

// BenchmarkReadIndex measures linearizable reads (thesis §6.4) on a
// three-node cluster through the Ready loop (no disk, no network), asked on
// the leader or on a follower (which forwards to the leader). One op is one
// answered read. With concurrent=N, N clients ask at once and the cluster
// runs until quiet, so the N reads share one heartbeat round. With
// stream=N, N reads arrive at every pass of the Ready loop while messages
// take a pass per hop, so reads keep arriving while a round is out (as
// under steady load); heartbeats/read shows how many reads a round carries.
func BenchmarkReadIndex(b *testing.B) {
	for _, at := range []string{"leader", "follower"} {
		for _, mode := range []string{"concurrent=1", "concurrent=16", "concurrent=256", "stream=1", "stream=16"} {
			var perPass int
			stream := strings.HasPrefix(mode, "stream")
			fmt.Sscanf(mode[strings.IndexByte(mode, '=')+1:], "%d", &perPass)
			b.Run(fmt.Sprintf("at=%s/%s", at, mode), func(b *testing.B) {
				c := newBenchCluster(b, 3)
				c.delayed = stream
				node := c.nodes[0]
				if at == "follower" {
					node = c.nodes[1]
				}
				ctx := []byte("read")
				var ms0, ms1 runtime.MemStats
				runtime.ReadMemStats(&ms0)
				c.reads, c.heartbeats = 0, 0
				b.ResetTimer()
				for done := 0; done < b.N; {
					k := min(perPass, b.N-done)
					for j := 0; j < k; j++ {
						if err := node.ReadIndex(ctx); err != nil {
							b.Fatal(err)
						}
					}
					if stream {
						c.pass(b)
					} else {
						c.pump(b)
					}
					done += k
				}
				c.pump(b)
				b.StopTimer()
				runtime.ReadMemStats(&ms1)
				if c.reads != b.N {
					b.Fatalf("%d reads answered, want %d", c.reads, b.N)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
				b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(b.N), "allocs/read")
				b.ReportMetric(float64(c.heartbeats)/float64(b.N), "heartbeats/read")
			})
		}
	}
}
