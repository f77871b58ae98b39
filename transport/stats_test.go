package transport

import (
	"testing"
	"time"

	"skiff/raft/raftpb"
)

// TestAppendStatsCountAppendsOnly: append requests are counted and given a
// rate on both ends; heartbeats are not, as in etcd.
func TestAppendStatsCountAppendsOnly(t *testing.T) {
	checkGoroutines(t)
	a, b := startMember(t, 1, "", nil), startMember(t, 2, "", nil)
	connect(a, b)
	a.tr.Send([]raftpb.Message{{Type: raftpb.MsgHeartbeat, From: 1, To: 2}})
	b.raft.receive(t, 1)
	const n = 50
	for i := range n {
		a.tr.Send([]raftpb.Message{appendMsg(1, 2, uint64(i), 1, 100)})
		b.raft.receive(t, 1) // one batch per message, so there are many samples
	}
	sent, _ := a.tr.Appends()
	_, recv := b.tr.Appends()
	for _, s := range []struct {
		name string
		AppendStats
	}{{"sent", sent}, {"received", recv}} {
		if s.Count != n {
			t.Errorf("%s: count %d, want %d", s.name, s.Count, n)
		}
		if s.PerSecond <= 0 || s.BytesPerSec < 100*s.PerSecond {
			t.Errorf("%s: %.1f requests/s and %.1f bytes/s, want a rate with over 100 bytes per request",
				s.name, s.PerSecond, s.BytesPerSec)
		}
	}
	if _, got := a.tr.Appends(); got != (AppendStats{}) {
		t.Errorf("the sender received %+v", got)
	}
}

// TestRateWindow: the rate covers the samples held, leaving out the
// oldest one's own messages; it is zero with fewer than two samples and
// once the newest is more than a second old.
func TestRateWindow(t *testing.T) {
	var w rateWindow
	base := time.Unix(1000, 0)
	put := func(at time.Duration, msgs, bytes uint64) { w.addAt(base.Add(at).UnixNano(), msgs, bytes) }
	put(0, 7, 700)
	if got := w.stats(base); got != (AppendStats{Count: 7}) {
		t.Fatalf("one sample: got %+v, want only the count", got)
	}
	put(500*time.Millisecond, 2, 300)
	put(time.Second, 3, 100)
	want := AppendStats{Count: 12, PerSecond: 5, BytesPerSec: 400}
	if got := w.stats(base.Add(time.Second)); got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if got := w.stats(base.Add(2100 * time.Millisecond)); got != (AppendStats{Count: 12}) {
		t.Fatalf("idle: got %+v, want only the count", got)
	}
	for i := range 2 * rateSamples {
		put(time.Second+time.Duration(i+1)*time.Millisecond, 1, 10)
	}
	if got := w.stats(base.Add(1400 * time.Millisecond)); got.PerSecond != 1000 || got.BytesPerSec != 10000 {
		t.Fatalf("full window: got %+v, want 1000/s and 10000 B/s", got)
	}
}
