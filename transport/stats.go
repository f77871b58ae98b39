package transport

import (
	"sync"
	"sync/atomic"
	"time"
)

// counters are one remote member's traffic counters, updated atomically.
type counters struct {
	msgsSent, bytesSent atomic.Uint64
	msgsRecv, bytesRecv atomic.Uint64
	dropped, failures   atomic.Uint64
	snapshotsSent       atomic.Uint64
	snapshotFailures    atomic.Uint64
}

// PeerStats is a snapshot of the traffic with one remote member, for
// /v2/stats/leader, /v2/stats/self and /metrics. Bytes count frames as sent
// on the wire, without HTTP framing.
type PeerStats struct {
	MessagesSent     uint64 // written to the stream, or snapshots accepted
	BytesSent        uint64
	MessagesReceived uint64
	BytesReceived    uint64
	Dropped          uint64 // messages Send could not queue or the stream lost
	StreamFailures   uint64 // failed connection attempts and broken streams
	SnapshotsSent    uint64
	SnapshotFailures uint64
	ActiveSince      time.Time // zero when the stream is not connected
}

// Stats returns the counters of every member the transport has exchanged
// messages with, by member ID.
func (t *Transport) Stats() map[uint64]PeerStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[uint64]PeerStats, len(t.stats))
	for id, c := range t.stats {
		s := PeerStats{
			MessagesSent:     c.msgsSent.Load(),
			BytesSent:        c.bytesSent.Load(),
			MessagesReceived: c.msgsRecv.Load(),
			BytesReceived:    c.bytesRecv.Load(),
			Dropped:          c.dropped.Load(),
			StreamFailures:   c.failures.Load(),
			SnapshotsSent:    c.snapshotsSent.Load(),
			SnapshotFailures: c.snapshotFailures.Load(),
		}
		if p := t.peers[id]; p != nil {
			s.ActiveSince = p.activeSince()
		}
		out[id] = s
	}
	return out
}

// counters returns id's counters, creating them on first use.
func (t *Transport) counters(id uint64) *counters {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.countersLocked(id)
}

func (t *Transport) countersLocked(id uint64) *counters {
	c := t.stats[id]
	if c == nil {
		c = new(counters)
		t.stats[id] = c
	}
	return c
}

// AppendStats describe the append requests (MsgAppendEntries) this member
// has sent or received, for the counts and rates of /v2/stats/self. As in
// etcd, the rates are measured over the most recent requests (up to about
// 200 batches of them) and are zero when the last one is more than a
// second old.
type AppendStats struct {
	Count       uint64  // requests since the transport started
	PerSecond   float64 // requests per second, recently
	BytesPerSec float64 // their bytes on the wire per second, recently
}

// Appends returns the append requests sent to and received from all peers.
func (t *Transport) Appends() (sent, received AppendStats) {
	now := time.Now()
	return t.appendsSent.stats(now), t.appendsRecv.stats(now)
}

// rateWindow keeps the last rateSamples batches of append requests, so
// that a rate can be read at any time without a ticking goroutine. A batch
// (one write, or what one read brought in) is one sample, which keeps the
// cost to one lock and one clock read per batch.
type rateWindow struct {
	mu      sync.Mutex
	total   uint64
	samples [rateSamples]rateSample
	next    int // index of the next sample to overwrite
	n       int // samples held
}

type rateSample struct {
	at          int64 // Unix nanoseconds
	msgs, bytes uint64
}

// rateSamples is etcd's window (200 requests); here it counts batches.
const rateSamples = 200

// add records a batch of msgs append requests totalling bytes.
func (w *rateWindow) add(msgs, bytes uint64) {
	if msgs > 0 {
		w.addAt(time.Now().UnixNano(), msgs, bytes)
	}
}

func (w *rateWindow) addAt(at int64, msgs, bytes uint64) {
	w.mu.Lock()
	w.total += msgs
	w.samples[w.next] = rateSample{at: at, msgs: msgs, bytes: bytes}
	w.next = (w.next + 1) % rateSamples
	w.n = min(w.n+1, rateSamples)
	w.mu.Unlock()
}

// stats reads the count and the rates at now. The rates cover the span
// from the oldest sample held to the newest, counting what arrived after
// the oldest (its own messages came before the span began).
func (w *rateWindow) stats(now time.Time) AppendStats {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := AppendStats{Count: w.total}
	if w.n < 2 {
		return s
	}
	newest := w.samples[(w.next+rateSamples-1)%rateSamples]
	oldest := w.samples[(w.next+rateSamples-w.n)%rateSamples]
	span := time.Duration(newest.at - oldest.at)
	if now.Sub(time.Unix(0, newest.at)) > time.Second || span <= 0 {
		return s
	}
	var msgs, bytes uint64
	for i := 1; i < w.n; i++ {
		sample := w.samples[(w.next+rateSamples-w.n+i)%rateSamples]
		msgs += sample.msgs
		bytes += sample.bytes
	}
	s.PerSecond = float64(msgs) / span.Seconds()
	s.BytesPerSec = float64(bytes) / span.Seconds()
	return s
}
