package linearizability

import (
	"testing"
	"time"
)

// BenchmarkCheck measures the whole check (watch log, resolution, index
// checkers, porcupine) of a linearizable history of 16 clients over 40
// keys with 5% of writes unknown: the cost a robustness run pays per
// 16 000 operations.
func BenchmarkCheck(b *testing.B) {
	records, log := simulate(7, 16, 40, 1000, 0.05)
	all := WatchLog{WatchSpec: WatchSpec{Key: "/", Recursive: true, Start: 1}, Events: log}
	final := map[string]string{}
	for k, s := range finalStates(log) {
		if s.Exists {
			final[k] = s.Value
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		res := Check(Run{Records: records, Watches: []WatchLog{all}, Final: final, Timeout: time.Minute})
		if res.Failed() {
			b.Fatal(res.Summary())
		}
	}
	b.ReportMetric(float64(len(records)), "ops/check")
}
