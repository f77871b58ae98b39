package transport

import (
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
