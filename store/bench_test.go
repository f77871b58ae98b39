package store

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// benchKeys is the size of the key space the set and get benchmarks run in.
const benchKeys = 1_000_000

// benchKey is a 16-byte key: "/k" and 14 digits.
func benchKey(i int) string { return fmt.Sprintf("/k%014d", i) }

// benchValue is a fresh 100-byte value, so that every key owns its bytes.
func benchValue(i int) string { return strings.Clone(fmt.Sprintf("%0100d", i)) }

var (
	bigOnce  sync.Once
	bigStore *Store
)

// loadedStore is one store holding benchKeys keys, built once and shared by
// the benchmarks that need it.
func loadedStore(b *testing.B) *Store {
	bigOnce.Do(func() {
		bigStore = New()
		for i := 0; i < benchKeys; i++ {
			if _, err := bigStore.Set(Keys, benchKey(i), false, benchValue(i), TTL{}, t0); err != nil {
				panic(err)
			}
		}
	})
	return bigStore
}

// BenchmarkSet1M replaces keys in a store of one million.
func BenchmarkSet1M(b *testing.B) {
	s := loadedStore(b)
	value := benchValue(7)
	keys := make([]string, 4096)
	for i := range keys {
		keys[i] = benchKey(i * 7919 % benchKeys)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Set(Keys, keys[i%len(keys)], false, value, TTL{}, t0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkGet1M reads keys from a store of one million.
func BenchmarkGet1M(b *testing.B) {
	s := loadedStore(b)
	keys := make([]string, 4096)
	for i := range keys {
		keys[i] = benchKey(i * 104729 % benchKeys)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Get(Keys, keys[i%len(keys)], false, false, t0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkMemoryPerKey measures the heap a key costs beyond its 16 key bytes
// and 100 value bytes (target: at most 250 B), over 200,000 keys in one
// directory. Keys and values are made inside the measurement, as the server
// decodes them from commands, so size-class rounding counts as overhead. The
// history's 1000 events are a fixed cost, spread thin.
func BenchmarkMemoryPerKey(b *testing.B) {
	const n = 200_000
	var overhead float64
	for it := 0; it < b.N; it++ {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		s := New()
		for i := 0; i < n; i++ {
			if _, err := s.Set(Keys, benchKey(i), false, benchValue(i), TTL{}, t0); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		overhead = float64(after.HeapAlloc-before.HeapAlloc)/n - 16 - 100
		runtime.KeepAlive(s)
	}
	b.ReportMetric(overhead, "B/key-overhead")
}

// BenchmarkWatchFanOut10k times one write to a key with 10,000 watchers on
// it until every watcher has its event.
func BenchmarkWatchFanOut10k(b *testing.B) {
	const watchers = 10_000
	s := New()
	ws := make([]*Watcher, watchers)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		for j := range ws {
			w, err := s.Watch(Keys, "/hot", false, false, 0)
			if err != nil {
				b.Fatal(err)
			}
			ws[j] = w
		}
		b.StartTimer()
		if _, err := s.Set(Keys, "/hot", false, "v", TTL{}, t0); err != nil {
			b.Fatal(err)
		}
		for _, w := range ws {
			if _, ok := <-w.EventChan(); !ok {
				b.Fatal("watcher closed without its event")
			}
		}
	}
}

// BenchmarkSaveRecovery1M saves a store of one million keys and recovers a
// fresh store from the bytes: the cost of one raft snapshot.
func BenchmarkSaveRecovery1M(b *testing.B) {
	s := loadedStore(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		data, err := s.Save()
		if err != nil {
			b.Fatal(err)
		}
		if err := New().Recovery(data); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(data))/benchKeys, "snapshot-B/key")
	}
}

// BenchmarkSetPerfKeys replaces keys in a store of 1000, the key space
// `skiffctl check perf` writes: the apply path every member runs per write,
// with the store in cache.
func BenchmarkSetPerfKeys(b *testing.B) {
	s := New()
	value := benchValue(7)
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = fmt.Sprintf("/perf/k%04d", i)
		if _, err := s.Set(Keys, keys[i], false, value, TTL{}, t0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := s.Set(Keys, keys[i%len(keys)], false, value, TTL{}, t0); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
