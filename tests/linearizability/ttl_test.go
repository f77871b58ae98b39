package linearizability

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"skiff/client"
	"skiff/tests/cluster"
)

// With the members' clocks skewed by seconds, keys with a TTL still expire
// identically everywhere: the leader's sweep goes through the log, so every
// member's watchers see the same expire events at the same indexes and the
// stores end up the same.
func TestTTLExpiryIdenticalUnderClockSkew(t *testing.T) {
	c := cluster.New(t, cluster.Config{Size: 3})
	c.SkewClock(1, 3*time.Second)
	c.SkewClock(2, -3*time.Second)
	rec := NewRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var watchers []*Watcher
	for i := range c.Size() {
		watchers = append(watchers, Watch(ctx, rec, c.MemberClient(i), WatchSpec{Member: i, Key: "/ttl", Recursive: true, Stream: true, Start: 2}))
	}
	const keys = 9
	for i := range keys {
		cl := c.MemberClient(i % 3)
		sctx, scancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := cl.Set(sctx, fmt.Sprintf("/ttl/k%d", i), "v", &client.SetOptions{TTL: time.Second})
		scancel()
		if err != nil {
			t.Fatalf("setting /ttl/k%d through m%d: %v", i, i%3+1, err)
		}
	}
	// Wait for every key to expire on every member: 1s plus at most 3s of
	// skew, plus the sweep interval.
	deadline := time.Now().Add(15 * time.Second)
	for expires(watchers[0].Log().Events) < keys {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d keys expired within 15s", expires(watchers[0].Log().Events), keys)
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.WaitConverged()
	for i := 1; i < len(watchers); i++ {
		for time.Now().Before(deadline) && len(watchers[i].Log().Events) < len(watchers[0].Log().Events) {
			time.Sleep(20 * time.Millisecond)
		}
	}
	want := strip(watchers[0].Log().Events)
	for i, w := range watchers[1:] {
		if got := strip(w.Log().Events); !slices.Equal(got, want) {
			t.Fatalf("m%d's watcher saw %v\nm1's saw %v", i+2, got, want)
		}
	}
}

func expires(evs []Event) int {
	n := 0
	for _, e := range evs {
		if e.Action == "expire" {
			n++
		}
	}
	return n
}

// strip drops the receive times, which differ between watchers.
func strip(evs []Event) []Event {
	out := make([]Event, len(evs))
	for i, e := range evs {
		e.Time = 0
		out[i] = e
	}
	return out
}
