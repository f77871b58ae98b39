package ctl

import (
	"math"
	"slices"
	"time"
)

// latencies are the timings of the operations of one kind. Failed
// operations are counted but their timings are left out.
type latencies struct {
	count   int
	errors  int
	samples []time.Duration
}

func (l *latencies) add(d time.Duration, err error) {
	l.count++
	if err != nil {
		l.errors++
		return
	}
	l.samples = append(l.samples, d)
}

func (l *latencies) merge(o *latencies) {
	l.count += o.count
	l.errors += o.errors
	l.samples = append(l.samples, o.samples...)
}

// summary is the latency distribution check perf reports.
type summary struct {
	Min, Mean, P50, P90, P99, P999, Max time.Duration
}

// summarize sorts the samples and reads the percentiles off them
// (nearest rank: the smallest sample with at least p of them at or below).
func (l *latencies) summarize() summary {
	if len(l.samples) == 0 {
		return summary{}
	}
	slices.Sort(l.samples)
	var sum time.Duration
	for _, d := range l.samples {
		sum += d
	}
	return summary{
		Min:  l.samples[0],
		Mean: sum / time.Duration(len(l.samples)),
		P50:  percentile(l.samples, 50),
		P90:  percentile(l.samples, 90),
		P99:  percentile(l.samples, 99),
		P999: percentile(l.samples, 99.9),
		Max:  l.samples[len(l.samples)-1],
	}
}

// percentile is the nearest-rank percentile p of sorted.
func percentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

// bucket is one bar of the latency histogram: samples in [Low, High).
type bucket struct {
	Low, High time.Duration
	Count     int
}

// histogram puts sorted samples into power-of-two buckets from the first
// one holding the minimum to the one holding the maximum.
func histogram(sorted []time.Duration) []bucket {
	if len(sorted) == 0 {
		return nil
	}
	low := time.Microsecond
	for low*2 <= sorted[0] {
		low *= 2
	}
	var out []bucket
	i := 0
	for i < len(sorted) {
		b := bucket{Low: low, High: low * 2}
		for i < len(sorted) && sorted[i] < b.High {
			b.Count++
			i++
		}
		out = append(out, b)
		low *= 2
	}
	return out
}
