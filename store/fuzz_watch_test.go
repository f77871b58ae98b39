package store

import (
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"
)

// bruteMatch is the test's own reading of §1.7 and §1.8: does a watch on key
// see event e?
func bruteMatch(e *Event, key string, recursive bool) bool {
	if e.Refresh {
		return false
	}
	k := e.Node.Key
	if k == key {
		return true
	}
	if recursive {
		if rel, ok := strings.CutPrefix(k, strings.TrimSuffix(key, "/")+"/"); ok {
			hidden := false
			for _, seg := range strings.Split(rel, "/") {
				hidden = hidden || strings.HasPrefix(seg, "_")
			}
			if !hidden {
				return true
			}
		}
	}
	removal := e.Action == ActionDelete || e.Action == ActionExpire
	return removal && e.Node.Dir && strings.HasPrefix(key, k+"/")
}

// watchRecord is a watch started during a run and what it must end up with.
type watchRecord struct {
	desc      string
	key       string
	recursive bool
	stream    bool
	since     uint64 // as asked; 0 means next
	index     uint64 // store index when it started
	w         *Watcher
	err       error
}

// checkWatchIndex runs random writes, expiries and watches, keeping the full
// event log, then checks every watch against a brute-force scan of the log.
func checkWatchIndex(t *testing.T, data []byte) {
	s := New()
	var log []*Event // every event, log[i] has index i+1
	var watches []*watchRecord
	now := t0
	rd := &opReader{data: data}
	for step := 0; !rd.done() && step < 1500; step++ {
		kind, pb, vb, fb := rd.next()%8, rd.next(), rd.next(), rd.next()
		p := fuzzPath(pb)
		var e *Event
		switch kind {
		case 0, 1:
			e, _ = s.Set(Keys, p, fb&1 != 0, fuzzValues[vb%4], fuzzTTL(fb>>1), now)
		case 2:
			e, _ = s.Create(Keys, p, fb&1 != 0, "v", true, fuzzTTL(fb>>1), now)
		case 3:
			e, _ = s.Update(Keys, p, "", TTL{Set: true, Seconds: uint64(fb % 3), Refresh: fb&4 != 0}, now)
		case 4:
			e, _ = s.Delete(Keys, p, true, fb&1 != 0, now)
		case 5:
			now = now.Add(time.Duration(fb%3) * time.Second)
			log = append(log, s.DeleteExpiredKeys(now)...)
		default:
			watches = append(watches, startWatch(s, p, fb, vb))
		}
		if e != nil {
			log = append(log, e)
		}
	}
	for i, e := range log {
		if e.Index() != uint64(i+1) {
			t.Fatalf("event log has index %d at position %d: the store's indexes have a gap", e.Index(), i)
		}
	}
	for _, wr := range watches {
		checkWatch(t, wr, log)
	}
}

func startWatch(s *Store, p string, fb, vb byte) *watchRecord {
	wr := &watchRecord{key: p, recursive: fb&1 != 0, stream: fb&2 != 0, index: s.Index()}
	switch vb % 4 {
	case 0:
		wr.since = 0
	case 1:
		wr.since = wr.index + uint64(vb>>2%4)
	case 2:
		// Around the oldest event the history holds: oldest-1, oldest, oldest+1.
		if wr.index >= historySize {
			wr.since = wr.index - historySize + uint64(vb>>2%3)
		}
	default:
		if back := uint64(vb >> 2); back <= wr.index {
			wr.since = wr.index - back
		}
	}
	wr.desc = fmt.Sprintf("Watch(%s recursive=%v stream=%v since=%d) at index %d", p, wr.recursive, wr.stream, wr.since, wr.index)
	wr.w, wr.err = s.Watch(Keys, p, wr.recursive, wr.stream, wr.since)
	return wr
}

func checkWatch(t *testing.T, wr *watchRecord, log []*Event) {
	since := wr.since
	if since == 0 {
		since = wr.index + 1
	}
	oldest := uint64(1)
	if wr.index > historySize {
		oldest = wr.index - historySize + 1
	}
	if since < oldest {
		want := fmt.Sprintf("the requested history has been cleared [%d/%d]", oldest, since)
		if Code(wr.err) != EcodeEventIndexCleared || wr.err.(*Error).Cause != want || wr.err.(*Error).Index != wr.index {
			t.Fatalf("%s: got %v, want 401 %q", wr.desc, wr.err, want)
		}
		return
	}
	if wr.err != nil {
		t.Fatalf("%s: unexpected error %v", wr.desc, wr.err)
	}
	var want []*Event
	for _, e := range log[min(since-1, uint64(len(log))):] {
		if bruteMatch(e, wr.key, wr.recursive) {
			want = append(want, e)
		}
	}
	limit := 1
	if wr.stream {
		limit = watcherBuffer
	}
	wantClosed := len(want) > limit || (!wr.stream && len(want) == 1)
	if len(want) > limit {
		want = want[:limit]
	}
	got, isClosed := drain(wr.w)
	if mustJSON(t, got) != mustJSON(t, want) || isClosed != wantClosed {
		t.Fatalf("%s:\n got %s (closed %v)\nwant %s (closed %v)", wr.desc, mustJSON(t, got), isClosed, mustJSON(t, want), wantClosed)
	}
	wr.w.Remove()
}

// drain reads what is waiting on w and whether its channel is closed.
func drain(w *Watcher) ([]*Event, bool) {
	var got []*Event
	for {
		select {
		case e, ok := <-w.EventChan():
			if !ok {
				return got, true
			}
			got = append(got, e)
		default:
			return got, false
		}
	}
}

// FuzzWatchIndex checks that every watch — past, present or future index,
// recursive or not, plain or streaming — gets exactly what a brute-force scan
// of the event log says.
func FuzzWatchIndex(f *testing.F) {
	f.Add([]byte{0, 0x05, 1, 0, 6, 0x05, 0, 0, 0, 0x05, 2, 0})
	f.Add([]byte{6, 0x01, 0, 3, 0, 0x15, 1, 0, 4, 0x01, 0, 1, 6, 0x15, 2, 1})
	f.Fuzz(func(t *testing.T, data []byte) { checkWatchIndex(t, data) })
}

// TestWatchIndexRandom runs seeded random inputs, long enough to push events
// out of the 1000-event history. SKIFF_SEED replays one.
func TestWatchIndexRandom(t *testing.T) {
	seeds, runs := randomSeeds(t, 40)
	for _, seed := range seeds[:runs] {
		data := make([]byte, 2400)
		rand.New(rand.NewSource(seed)).Read(data)
		t.Run(strconv.FormatInt(seed, 10), func(t *testing.T) {
			defer func() {
				if t.Failed() {
					t.Logf("replay: SKIFF_SEED=%d go test ./store -run 'TestWatchIndexRandom' -v", seed)
				}
			}()
			checkWatchIndex(t, data)
		})
	}
}

// TestWatchIndexAcrossClearedHistory drives the index past the history's
// length so that old waitIndexes get 401 and the oldest held still works.
func TestWatchIndexAcrossClearedHistory(t *testing.T) {
	data := make([]byte, 0, 4*1300)
	for i := 0; i < 1300; i++ {
		op := []byte{0, byte(1 | (i%3)<<2), byte(i), 0} // set /a, /b or /_h
		if i%50 == 49 {
			// A watch asking for oldest-1, oldest or oldest+1 in turn.
			op = []byte{6, byte(1 | (i%3)<<2), byte(2 + 4*((i/50)%3)), byte(i >> 3)}
		}
		data = append(data, op...)
	}
	checkWatchIndex(t, data)
}
