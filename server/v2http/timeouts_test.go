package v2http

import (
	"testing"
	"time"
)

// TestTimeoutsAreSharedWithinAGrain: every context ends no later than the
// timeout after its request began (the member's Do would add its own timeout
// otherwise) and less than a grain sooner; requests that fit one context
// share it, and one it does not fit (a grain later, or earlier after the
// clock went back) gets a new one.
func TestTimeoutsAreSharedWithinAGrain(t *testing.T) {
	const timeout = 7 * time.Second
	tm := &timeouts{timeout: timeout}
	start := time.Now()
	check := func(now time.Time) time.Time {
		t.Helper()
		ctx := tm.context(now)
		dl, ok := ctx.Deadline()
		if !ok {
			t.Fatal("no deadline")
		}
		if want := now.Add(timeout); dl.After(want) || !dl.After(want.Add(-timeoutGrain)) {
			t.Fatalf("deadline %v for a request at %v; want in (%v, %v]", dl, now, want.Add(-timeoutGrain), want)
		}
		return dl
	}
	first := check(start)
	firstCtx := tm.context(start)
	var shared, fresh int
	for _, d := range []time.Duration{time.Microsecond, timeoutGrain / 3, timeoutGrain / 2, timeoutGrain, 3 * timeoutGrain,
		-2 * timeoutGrain, 0} {
		now := start.Add(d)
		dl := check(now)
		if dl.Equal(first) {
			shared++
		} else {
			fresh++
		}
	}
	if shared == 0 || fresh == 0 {
		t.Fatalf("shared %d, fresh %d: want both", shared, fresh)
	}
	if tm.context(start.Add(time.Hour)) == firstCtx {
		t.Fatal("an hour later, the same context")
	}
}

// TestQuorumReadTimesOut: a quorum read the member does not confirm within
// RequestTimeout ends with etcd's timeout error (§1.11).
func TestQuorumReadTimesOut(t *testing.T) {
	ts, fs := newTestAPI(t, func(c *Config) { c.RequestTimeout = 20 * time.Millisecond })
	fs.readDelay = time.Minute
	r := call(t, "GET", ts.URL+"/v2/keys/k?quorum=true", "")
	want := `{"errorCode":300,"message":"Raft Internal Error","cause":"etcdserver: request timed out","index":0}` + "\n"
	if r.status != 500 || r.body != want {
		t.Fatalf("quorum read past the timeout: %d %q", r.status, r.body)
	}
}
