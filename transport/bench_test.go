package transport

import (
	"context"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"skiff/raft/raftpb"
)

// countingRaft counts delivered messages and wakes the benchmark's sender.
type countingRaft struct {
	received atomic.Int64
	progress chan struct{} // capacity 1
}

func (r *countingRaft) Process(ctx context.Context, m raftpb.Message) error {
	r.received.Add(1)
	select {
	case r.progress <- struct{}{}:
	default:
	}
	return nil
}
func (r *countingRaft) ReportUnreachable(uint64)    {}
func (r *countingRaft) ReportSnapshot(uint64, bool) {}

// BenchmarkTransport streams AppendEntries with 100-byte entries from one
// member to another over loopback HTTP, keeping at most window messages in
// flight so that the bounded queue never drops. It reports messages/s, and
// MB/s of entry data.
func BenchmarkTransport(b *testing.B) {
	for _, entries := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("entries=%d", entries), func(b *testing.B) {
			benchmarkStream(b, entries)
		})
	}
}

func benchmarkStream(b *testing.B, entries int) {
	const window = 1024
	recv := &countingRaft{progress: make(chan struct{}, 1)}
	sender := startMember(b, 1, "", nil)
	receiver := startMember(b, 2, "", func(c *Config) { c.Raft = recv })
	connect(sender, receiver)
	msg := appendMsg(1, 2, 0, entries, 100)
	batch := []raftpb.Message{msg}
	b.SetBytes(int64(entries * 100))
	b.ResetTimer()
	start := time.Now()
	cpu := processCPU()
	for i := range b.N {
		for int64(i)-recv.received.Load() >= window {
			<-recv.progress
		}
		sender.tr.Send(batch)
	}
	for recv.received.Load() < int64(b.N) {
		select {
		case <-recv.progress:
		case <-time.After(10 * time.Second):
			b.Fatalf("received %d of %d messages; dropped %d", recv.received.Load(), b.N,
				sender.tr.Stats()[2].Dropped)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
	b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/msg")
}

// echoRaft answers every heartbeat with a heartbeat response through its
// own transport.
type echoRaft struct {
	tr    atomic.Pointer[Transport]
	pongs chan struct{}
}

func (r *echoRaft) Process(ctx context.Context, m raftpb.Message) error {
	switch m.Type {
	case raftpb.MsgHeartbeat:
		r.tr.Load().Send([]raftpb.Message{{Type: raftpb.MsgHeartbeatResponse, From: m.To, To: m.From, Term: m.Term}})
	case raftpb.MsgHeartbeatResponse:
		r.pongs <- struct{}{}
	}
	return nil
}
func (r *echoRaft) ReportUnreachable(uint64)    {}
func (r *echoRaft) ReportSnapshot(uint64, bool) {}

// BenchmarkHeartbeatRoundTrip measures one heartbeat and its response
// between two members over loopback: the latency a leader sees.
func BenchmarkHeartbeatRoundTrip(b *testing.B) {
	ra, rb := &echoRaft{pongs: make(chan struct{}, 1)}, &echoRaft{pongs: make(chan struct{}, 1)}
	a := startMember(b, 1, "", func(c *Config) { c.Raft = ra })
	bm := startMember(b, 2, "", func(c *Config) { c.Raft = rb })
	ra.tr.Store(a.tr)
	rb.tr.Store(bm.tr)
	connect(a, bm)
	ping := []raftpb.Message{{Type: raftpb.MsgHeartbeat, From: 1, To: 2, Term: 1}}
	b.ResetTimer()
	for range b.N {
		a.tr.Send(ping)
		select {
		case <-ra.pongs:
		case <-time.After(10 * time.Second):
			b.Fatal("no heartbeat response")
		}
	}
}

// BenchmarkAckStream streams small messages, as a follower's stream of
// MsgAppendEntriesResponse to its leader: each Send carries one message of a
// few dozen bytes, so the cost per message (encoding, the write, the read
// and the decoding on the far side) dominates rather than the bytes moved.
// With inflight=1 every message is written and read on its own, as when a
// follower acknowledges each append as it arrives; with more in flight the
// writer batches them.
func BenchmarkAckStream(b *testing.B) {
	for _, window := range []int64{1, 64} {
		b.Run(fmt.Sprintf("inflight=%d", window), func(b *testing.B) {
			benchmarkAcks(b, window)
		})
	}
}

func benchmarkAcks(b *testing.B, window int64) {
	recv := &countingRaft{progress: make(chan struct{}, 1)}
	sender := startMember(b, 2, "", nil)
	receiver := startMember(b, 1, "", func(c *Config) { c.Raft = recv })
	connect(sender, receiver)
	ack := []raftpb.Message{{Type: raftpb.MsgAppendEntriesResponse, From: 2, To: 1, Term: 3, MatchIndex: 1 << 20}}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	cpu := processCPU()
	for i := range b.N {
		for int64(i)-recv.received.Load() >= window {
			<-recv.progress
		}
		ack[0].MatchIndex++
		sender.tr.Send(ack)
	}
	for recv.received.Load() < int64(b.N) {
		select {
		case <-recv.progress:
		case <-time.After(10 * time.Second):
			b.Fatalf("received %d of %d messages", recv.received.Load(), b.N)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
	// Both ends run in this process, so its CPU time per message is the
	// cost of a message to the two members together, whatever the waits.
	b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/msg")
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
