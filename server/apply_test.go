package server

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"skiff/raft/raftpb"
	"skiff/server/config"
	"skiff/store"
)

// applyBatch is the size of the batches the apply benchmark applies: about
// what one Ready commits under 64 clients.
const applyBatch = 16

// benchEntries makes n entries from index first on, each a PUT of a
// 100-byte value to one of 1000 keys, as `skiffctl check perf` writes.
func benchEntries(tb testing.TB, first uint64, n int) []raftpb.Entry {
	tb.Helper()
	value := strings.Repeat("v", 100)
	ents := make([]raftpb.Entry, n)
	for i := range ents {
		idx := first + uint64(i)
		cmd := Command{ID: uint64(i + 1), Kind: CommandRequest, Request: store.Request{
			Method: store.MethodPut, Namespace: store.Keys, Key: fmt.Sprintf("/perf/k%04d", idx%1000),
			Value: value, Time: time.Unix(1700000000, 0),
		}}
		data, err := cmd.Marshal()
		if err != nil {
			tb.Fatal(err)
		}
		ents[i] = raftpb.Entry{Term: 1, Index: idx, Type: raftpb.EntryNormal, Data: data}
	}
	return ents
}

// BenchmarkApplyEntries applies batches of PUTs whose requests wait on this
// member, as the leader does: decode, store.Set, wake the waiter. One op is
// one batch of applyBatch entries.
func BenchmarkApplyEntries(b *testing.B) {
	s := newServer(&config.Config{}, Options{})
	s.store = store.New()
	ents := benchEntries(b, 1, applyBatch)
	chs := make([]chan result, applyBatch)
	b.ReportAllocs()
	for b.Loop() {
		for i := range ents {
			ents[i].Index += applyBatch
			chs[i] = s.waits.register(uint64(i + 1)) // the IDs benchEntries gave
		}
		if err := s.applyEntries(ents); err != nil {
			b.Fatal(err)
		}
		for _, ch := range chs {
			if r := <-ch; r.err != nil {
				b.Fatal(r.err)
			}
			s.waits.release(ch)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*applyBatch), "ns/entry")
}
