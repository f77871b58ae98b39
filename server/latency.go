package server

import (
	"math"
	"sync"
	"time"

	"skiff/raft/raftpb"
)

// followerLatency measures, on the leader, the round trip of heartbeats to
// each follower, for /v2/stats/leader's latency figures (contract §3: in
// milliseconds). The raft loop records a heartbeat's departure and its
// answer's arrival; one heartbeat per follower is timed at a time.
type followerLatency struct {
	mu    sync.Mutex
	sent  map[uint64]time.Time // heartbeat in flight to each follower
	stats map[uint64]*latencyStats
	count map[uint64]float64 // samples per follower
	sumSq map[uint64]float64 // sum of squared samples, for the deviation
}

func newFollowerLatency() *followerLatency {
	return &followerLatency{sent: map[uint64]time.Time{}, stats: map[uint64]*latencyStats{},
		count: map[uint64]float64{}, sumSq: map[uint64]float64{}}
}

// noteSent records the heartbeats among msgs.
func (l *followerLatency) noteSent(msgs []raftpb.Message, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range msgs {
		if msgs[i].Type == raftpb.MsgHeartbeat {
			// A heartbeat unanswered for a second was lost: time this one.
			if t, busy := l.sent[msgs[i].To]; !busy || now.Sub(t) > time.Second {
				l.sent[msgs[i].To] = now
			}
		}
	}
}

// noteReceived records m's round trip if it answers a timed heartbeat.
func (l *followerLatency) noteReceived(m raftpb.Message, now time.Time) {
	if m.Type != raftpb.MsgHeartbeatResponse {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	start, ok := l.sent[m.From]
	if !ok {
		return
	}
	delete(l.sent, m.From)
	ms := float64(now.Sub(start)) / float64(time.Millisecond)
	st := l.stats[m.From]
	if st == nil {
		st = &latencyStats{Minimum: ms, Maximum: ms}
		l.stats[m.From] = st
	}
	n := l.count[m.From] + 1
	l.count[m.From] = n
	l.sumSq[m.From] += ms * ms
	st.Current = ms
	st.Average += (ms - st.Average) / n
	st.Minimum, st.Maximum = math.Min(st.Minimum, ms), math.Max(st.Maximum, ms)
	st.StandardDeviation = math.Sqrt(math.Max(0, l.sumSq[m.From]/n-st.Average*st.Average))
}

// of returns a copy of the figures for follower id (zero before a sample).
func (l *followerLatency) of(id uint64) latencyStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st := l.stats[id]; st != nil {
		return *st
	}
	return latencyStats{}
}
