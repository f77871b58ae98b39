package ctl

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestPercentileIsNearestRank: p50 of 1..10 ms is 5 ms, p90 is 9 ms, p99
// and p99.9 are the maximum, and one sample is every percentile.
func TestPercentileIsNearestRank(t *testing.T) {
	var l latencies
	for i := 10; i >= 1; i-- {
		l.add(time.Duration(i)*time.Millisecond, nil)
	}
	s := l.summarize()
	want := summary{Min: time.Millisecond, Mean: 5500 * time.Microsecond, P50: 5 * time.Millisecond,
		P90: 9 * time.Millisecond, P99: 10 * time.Millisecond, P999: 10 * time.Millisecond, Max: 10 * time.Millisecond}
	if s != want {
		t.Errorf("summary %+v, want %+v", s, want)
	}
	one := latencies{}
	one.add(3*time.Millisecond, nil)
	if s := one.summarize(); s.P50 != 3*time.Millisecond || s.P999 != 3*time.Millisecond {
		t.Errorf("one sample: %+v", s)
	}
}

// TestFailedOperationsAreCountedNotTimed: an error counts as an operation
// and an error, and its time stays out of the percentiles.
func TestFailedOperationsAreCountedNotTimed(t *testing.T) {
	var l latencies
	l.add(time.Millisecond, nil)
	l.add(time.Hour, errBoom)
	if l.count != 2 || l.errors != 1 || l.summarize().Max != time.Millisecond {
		t.Errorf("got %+v", l)
	}
}

var errBoom = &exitError{text: "boom"}

// TestHistogramBucketsHoldEverySample: power-of-two buckets from the one
// holding the minimum to the one holding the maximum, every sample counted
// once.
func TestHistogramBucketsHoldEverySample(t *testing.T) {
	samples := []time.Duration{3 * time.Microsecond, 5 * time.Microsecond, 6 * time.Microsecond, 40 * time.Microsecond}
	got := histogram(samples)
	want := []bucket{
		{2 * time.Microsecond, 4 * time.Microsecond, 1},
		{4 * time.Microsecond, 8 * time.Microsecond, 2},
		{8 * time.Microsecond, 16 * time.Microsecond, 0},
		{16 * time.Microsecond, 32 * time.Microsecond, 0},
		{32 * time.Microsecond, 64 * time.Microsecond, 1},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("bucket %d: got %v, want %v", i, got[i], want[i])
		}
	}
}

// TestCheckPerfRefusesBadSettings: each impossible setting is named, with
// exit 1, before anything is sent.
func TestCheckPerfRefusesBadSettings(t *testing.T) {
	for args, want := range map[string]string{
		"--writes 10":              "must add up to 100, got 10+40+10=60",
		"--clients 0":              "--clients must be at least 1",
		"--keys 0":                 "--keys must be at least 1",
		"--count -1":               "--count must not be negative",
		"--duration 0":             "--duration must be positive",
		"--prefix /":               "--prefix must be a directory below the root",
		"--value-size -1":          "--value-size must not be negative",
		"--reads -10 --writes 100": "must not be negative",
	} {
		res := runCtl(t, append([]string{"--endpoints", "http://127.0.0.1:1", "check", "perf"}, strings.Fields(args)...)...)
		if res.code != ExitBadArgs || !strings.Contains(res.stderr, want) {
			t.Errorf("check perf %s: exit %d, stderr %q; want 1 and %q", args, res.code, res.stderr, want)
		}
	}
}

// TestCheckPerfMeasuresAndCleansUp runs a small fixed-count load and reads
// the JSON report: every operation is counted, in the asked proportions,
// and the test keys are gone afterwards.
func TestCheckPerfMeasuresAndCleansUp(t *testing.T) {
	ep := startServer(t)
	res := runCtl(t, "--endpoints", ep, "check", "perf", "--count", "300", "--clients", "4", "--keys", "20",
		"--writes", "100", "--reads", "0", "--quorum-reads", "0", "--json")
	if res.code != 0 {
		t.Fatalf("check perf: %+v", res)
	}
	var rep perfJSON
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, res.stdout)
	}
	if rep.Ops != 300 || rep.Errors != 0 || rep.ByOperation["write"].Ops != 300 || rep.ByOperation["read"].Ops != 0 {
		t.Errorf("report %+v", rep)
	}
	if rep.LatencyMs.P50 <= 0 || rep.LatencyMs.P50 > rep.LatencyMs.P99 || rep.LatencyMs.P99 > rep.LatencyMs.Max {
		t.Errorf("latencies out of order: %+v", rep.LatencyMs)
	}
	total := 0
	for _, b := range rep.Histogram {
		total += b.Count
	}
	if total != 300 {
		t.Errorf("histogram holds %d samples, want 300", total)
	}
	if ls := runCtl(t, "--endpoints", ep, "ls", "/skiffctl-perf"); ls.code != ExitServerError {
		t.Errorf("test keys left behind: %+v", ls)
	}
	text := runCtl(t, "--endpoints", ep, "check", "perf", "--count", "50", "--clients", "2", "--spread")
	for _, want := range []string{"ops: 50 in ", "throughput: ", "p99.9 ", "histogram:\n"} {
		if !strings.Contains(text.stdout, want) || text.stderr != "" {
			t.Errorf("text report lacks %q (or wrote to stderr %q):\n%s", want, text.stderr, text.stdout)
		}
	}
}

// TestProgressLine: the bar fills with the share of the count (or of the
// duration) done, and shows the rate so far.
func TestProgressLine(t *testing.T) {
	got := progressLine(perfConfig{count: 1000}, 2*time.Second, 500)
	want := "[===============>              ]  50%      500 ops      250 ops/s"
	if got != want {
		t.Errorf("count mode:\n got %q\nwant %q", got, want)
	}
	got = progressLine(perfConfig{duration: 10 * time.Second}, 20*time.Second, 10)
	if !strings.HasPrefix(got, "[==============================] 100%") {
		t.Errorf("duration mode past the end: %q", got)
	}
}

// TestNoProgressBarOffTerminal: with stderr not a terminal (scripts,
// --json), check perf writes nothing there.
func TestNoProgressBarOffTerminal(t *testing.T) {
	var buf strings.Builder
	r := &runner{Streams: Streams{Stderr: &buf}}
	stop := r.startProgress(perfConfig{count: 1}, time.Now(), nil)
	time.Sleep(2 * progressInterval)
	stop()
	if buf.Len() != 0 {
		t.Errorf("progress written to a non-terminal: %q", buf.String())
	}
}
