package ctl

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// perfJSON is the --json report, for scripts and the cluster benchmarks.
// Latencies are in milliseconds.
type perfJSON struct {
	Clients     int                      `json:"clients"`
	ValueSize   int                      `json:"valueSize"`
	Keys        int                      `json:"keys"`
	Mix         map[string]int           `json:"mixPercent"`
	Seconds     float64                  `json:"seconds"`
	Ops         int                      `json:"ops"`
	Errors      int                      `json:"errors"`
	OpsPerSec   float64                  `json:"opsPerSecond"`
	LatencyMs   latencyJSON              `json:"latencyMs"`
	ByOperation map[string]operationJSON `json:"byOperation"`
	Histogram   []bucketJSON             `json:"histogram"`
	FirstError  string                   `json:"firstError,omitempty"`
}

type latencyJSON struct {
	Min  float64 `json:"min"`
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99.9"`
	Max  float64 `json:"max"`
}

type operationJSON struct {
	Ops       int         `json:"ops"`
	Errors    int         `json:"errors"`
	LatencyMs latencyJSON `json:"latencyMs"`
}

type bucketJSON struct {
	LowMs  float64 `json:"lowMs"`
	HighMs float64 `json:"highMs"`
	Count  int     `json:"count"`
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func toLatencyJSON(s summary) latencyJSON {
	return latencyJSON{ms(s.Min), ms(s.Mean), ms(s.P50), ms(s.P90), ms(s.P99), ms(s.P999), ms(s.Max)}
}

// reportPerf prints the result as text or, with --json, as one JSON line.
func (r *runner) reportPerf(cfg perfConfig, res *perfResult) {
	total := res.total.summarize()
	for k := range res.byKind {
		res.byKind[k].summarize() // sorts the samples
	}
	secs := res.elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(res.total.count) / secs
	}
	if cfg.json {
		r.reportPerfJSON(cfg, res, total, secs, rate)
		return
	}
	fmt.Fprintf(r.Stdout, "check perf: %d clients, %d-byte values over %d keys, %d%% writes / %d%% reads / %d%% quorum reads\n",
		cfg.clients, cfg.valueSize, cfg.keys, cfg.writes, cfg.reads, cfg.quorum)
	fmt.Fprintf(r.Stdout, "ops: %d in %.2fs, %d errors\n", res.total.count, secs, res.total.errors)
	fmt.Fprintf(r.Stdout, "throughput: %.1f ops/s\n", rate)
	fmt.Fprintf(r.Stdout, "latency: %s\n", formatSummary(total))
	for k, l := range res.byKind {
		if l.count > 0 {
			fmt.Fprintf(r.Stdout, "  %-11s %7d ops %5d errors  %s\n", opNames[k], l.count, l.errors, formatSummary(l.summarize()))
		}
	}
	fmt.Fprintln(r.Stdout, "histogram:")
	r.printHistogram(histogram(res.total.samples))
	if res.firstErr != nil {
		fmt.Fprintf(r.Stdout, "first error: %v\n", res.firstErr)
	}
}

// formatSummary is one line of percentiles.
func formatSummary(s summary) string {
	f := func(d time.Duration) string { return fmt.Sprintf("%.3fms", ms(d)) }
	return fmt.Sprintf("min %s mean %s p50 %s p90 %s p99 %s p99.9 %s max %s",
		f(s.Min), f(s.Mean), f(s.P50), f(s.P90), f(s.P99), f(s.P999), f(s.Max))
}

// printHistogram draws one bar per bucket, the longest 40 characters.
func (r *runner) printHistogram(buckets []bucket) {
	most := 0
	for _, b := range buckets {
		most = max(most, b.Count)
	}
	for _, b := range buckets {
		bar := 0
		if most > 0 {
			bar = (b.Count*40 + most - 1) / most
		}
		fmt.Fprintf(r.Stdout, "  %9.3fms - %9.3fms %8d |%s\n", ms(b.Low), ms(b.High), b.Count, strings.Repeat("#", bar))
	}
}

// reportPerfJSON prints the --json report.
func (r *runner) reportPerfJSON(cfg perfConfig, res *perfResult, total summary, secs, rate float64) {
	out := perfJSON{
		Clients: cfg.clients, ValueSize: cfg.valueSize, Keys: cfg.keys,
		Mix:     map[string]int{"write": cfg.writes, "read": cfg.reads, "quorum-read": cfg.quorum},
		Seconds: secs, Ops: res.total.count, Errors: res.total.errors, OpsPerSec: rate,
		LatencyMs:   toLatencyJSON(total),
		ByOperation: map[string]operationJSON{},
	}
	for k, l := range res.byKind {
		out.ByOperation[opNames[k]] = operationJSON{Ops: l.count, Errors: l.errors, LatencyMs: toLatencyJSON(l.summarize())}
	}
	for _, b := range histogram(res.total.samples) {
		out.Histogram = append(out.Histogram, bucketJSON{LowMs: ms(b.Low), HighMs: ms(b.High), Count: b.Count})
	}
	if res.firstErr != nil {
		out.FirstError = res.firstErr.Error()
	}
	b, err := json.Marshal(out)
	if err != nil {
		panic("ctl.reportPerfJSON: " + err.Error()) // plain numbers and strings always encode
	}
	fmt.Fprintln(r.Stdout, string(b))
}
