package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"
)

// eventLog is a fake watch server over one key, /w, whose events have the
// indexes in events. It answers waitIndex as the contract says (§1.8): the
// first event with index ≥ waitIndex, or, for waitIndex=0, the first one
// after the index the watch began at (start).
type eventLog struct {
	mu     sync.Mutex
	start  uint64   // X-Etcd-Index of every watch answer
	events []uint64 // the indexes of the events on /w, ascending
	added  chan struct{}
	// perConn hangs a stream up after this many events (0: never).
	perConn int
	// hold waits for more events when they run out; otherwise the answer
	// ends there (a dropped connection, from the client's side).
	hold bool
	// oldest: a waitIndex below it is answered with error 401.
	oldest uint64
	// emptyFirst answers the first requests with an empty 200.
	emptyFirst int
}

func (l *eventLog) add(idx uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, idx)
	if l.added != nil {
		close(l.added)
		l.added = nil
	}
}

// next returns the first event ≥ from, or a channel closed when one is added.
func (l *eventLog) next(from uint64) (uint64, bool, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, idx := range l.events {
		if idx >= from {
			return idx, true, nil
		}
	}
	if l.added == nil {
		l.added = make(chan struct{})
	}
	return 0, false, l.added
}

func (l *eventLog) serve(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	empty := l.emptyFirst > 0
	l.emptyFirst--
	l.mu.Unlock()
	waitIndex, _ := strconv.ParseUint(r.URL.Query().Get("waitIndex"), 10, 64)
	stream := r.URL.Query().Get("stream") == "true"
	w.Header().Set("X-Etcd-Index", strconv.FormatUint(l.start, 10))
	if waitIndex != 0 && waitIndex < l.oldest {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"errorCode":401,"message":"The event in requested index is outdated and cleared","cause":"the requested history has been cleared [%d/%d]","index":%d}`+"\n",
			l.oldest, waitIndex, l.start)
		return
	}
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
	if empty {
		return
	}
	from := waitIndex
	if from == 0 {
		from = l.start + 1
	}
	for sent := 0; ; {
		idx, ok, added := l.next(from)
		if !ok {
			if !l.hold {
				return
			}
			select {
			case <-added:
				continue
			case <-r.Context().Done():
				return
			}
		}
		fmt.Fprintf(w, `{"action":"set","node":{"key":"/w","value":"v%d","modifiedIndex":%d,"createdIndex":%d}}`+"\n", idx, idx, idx)
		w.(http.Flusher).Flush()
		sent++
		from = idx + 1
		if !stream || sent == l.perConn {
			return
		}
		if idx <= l.start {
			// Like etcd: a stream answered from history carries that
			// one event and then stays silent.
			<-r.Context().Done()
			return
		}
	}
}

// nextN reads n events and returns their indexes.
func nextN(t *testing.T, w *Watcher, n int) []uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var got []uint64
	for range n {
		resp, err := w.Next(ctx)
		if err != nil {
			t.Fatalf("Next after %v: %v", got, err)
		}
		got = append(got, resp.Node.ModifiedIndex)
	}
	return got
}

// waitIndexes lists the waitIndex of each request the server got.
func waitIndexes(f *fakeServer) []string {
	var out []string
	for _, r := range f.requests() {
		q, _ := parseQuery(r.Query)
		out = append(out, q.Get("waitIndex"))
	}
	return out
}

func TestWatchSendsEtcdctlsRequest(t *testing.T) {
	log := &eventLog{start: 4, events: []uint64{5}}
	f := newFake(t, log.serve)
	c := newTestClient(t, Config{Endpoints: []string{f.URL}})
	cases := []struct {
		opts  *WatchOptions
		query string
	}{
		{&WatchOptions{AfterIndex: 3}, "recursive=false&wait=true&waitIndex=4"},  // watch --after-index 3 /q
		{&WatchOptions{Recursive: true}, "recursive=true&wait=true&waitIndex=0"}, // watch -r -f /q
		{&WatchOptions{Stream: true}, "recursive=false&stream=true&wait=true&waitIndex=0"},
	}
	for _, tc := range cases {
		w := c.Watcher("/q", tc.opts)
		nextN(t, w, 1)
		w.Close()
		if got := f.last(t); got.Method != "GET" || got.Path != "/v2/keys/q" || got.Query != tc.query {
			t.Errorf("%+v sent %+v, want query %s", tc.opts, got, tc.query)
		}
	}
}

// TestLongPollWatchAsksForTheEventAfterTheLast: each long poll carries the
// last event's modifiedIndex+1, as etcdctl watch --forever does.
func TestLongPollWatchAsksForTheEventAfterTheLast(t *testing.T) {
	log := &eventLog{start: 10, events: []uint64{5, 6, 9}}
	f := newFake(t, log.serve)
	c := newTestClient(t, Config{Endpoints: []string{f.URL}})
	w := c.Watcher("/w", &WatchOptions{AfterIndex: 4})
	if got := fmt.Sprint(nextN(t, w, 3)); got != "[5 6 9]" {
		t.Errorf("events %s, want [5 6 9]", got)
	}
	if got := fmt.Sprint(waitIndexes(f)); got != "[5 6 7]" {
		t.Errorf("waitIndexes %s, want [5 6 7]", got)
	}
	if w.NextIndex() != 10 {
		t.Errorf("NextIndex = %d, want 10", w.NextIndex())
	}
}

// TestStreamWatchResumesAfterADroppedConnection: the server hangs up a
// stream after every two events; the watcher reconnects from the last
// event's index + 1 and the caller sees every event once, in order.
func TestStreamWatchResumesAfterADroppedConnection(t *testing.T) {
	log := &eventLog{start: 4, events: []uint64{5, 6, 7, 8, 9}, perConn: 2, hold: true}
	f := newFake(t, log.serve)
	c := newTestClient(t, Config{Endpoints: []string{f.URL}})
	w := c.Watcher("/w", &WatchOptions{Stream: true})
	defer w.Close()
	if got := fmt.Sprint(nextN(t, w, 5)); got != "[5 6 7 8 9]" {
		t.Errorf("events %s, want [5 6 7 8 9]", got)
	}
	// waitIndex=0 first; the answer said the watch began at 4, so every
	// reconnect names the next index it needs.
	if got := fmt.Sprint(waitIndexes(f)); got != "[0 7 9]" {
		t.Errorf("waitIndexes %s, want [0 7 9]", got)
	}
}

// TestStreamWatchCatchesUpFromHistory: etcd answers a stream whose
// waitIndex is in its history with one event and then silence, so the
// watcher asks again for each past event and keeps the stream only once
// the events are live.
func TestStreamWatchCatchesUpFromHistory(t *testing.T) {
	log := &eventLog{start: 7, events: []uint64{5, 6, 7}, hold: true}
	f := newFake(t, log.serve)
	c := newTestClient(t, Config{Endpoints: []string{f.URL}})
	w := c.Watcher("/w", &WatchOptions{AfterIndex: 4, Stream: true})
	defer w.Close()
	if got := fmt.Sprint(nextN(t, w, 3)); got != "[5 6 7]" {
		t.Fatalf("history events %s", got)
	}
	// Open the live stream, then let the events happen.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	time.AfterFunc(50*time.Millisecond, func() { log.add(8); log.add(9) })
	for _, want := range []uint64{8, 9} {
		if r, err := w.Next(ctx); err != nil || r.Node.ModifiedIndex != want {
			t.Fatalf("live event: %+v, %v; want index %d", r, err, want)
		}
	}
	if got := fmt.Sprint(waitIndexes(f)); got != "[5 6 7 8]" {
		t.Errorf("waitIndexes %s, want [5 6 7 8]: one request per past event, one stream for the live ones", got)
	}
}

// TestWatchResumesOnAnotherEndpoint: when the endpoint that served the
// stream stops answering, the watch continues on the next one, from the
// same index.
func TestWatchResumesOnAnotherEndpoint(t *testing.T) {
	var (
		mu     sync.Mutex
		served bool
	)
	first := &eventLog{start: 4, events: []uint64{5, 6, 7}, perConn: 1}
	a := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		again := served
		served = true
		mu.Unlock()
		if again { // the member lost its leader
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		first.serve(w, r)
	})
	b := newFake(t, (&eventLog{start: 7, events: []uint64{5, 6, 7}, hold: true}).serve)
	c := newTestClient(t, Config{Endpoints: []string{a.URL, b.URL}})
	w := c.Watcher("/w", &WatchOptions{Stream: true})
	defer w.Close()
	if got := fmt.Sprint(nextN(t, w, 3)); got != "[5 6 7]" {
		t.Errorf("events %s, want [5 6 7]", got)
	}
	// 6 and 7 are history on b (it began at 7): one request each.
	if got := fmt.Sprint(waitIndexes(b)); got != "[6 7]" {
		t.Errorf("the second endpoint got waitIndexes %s, want [6 7]", got)
	}
}

// TestWatchRetriesAnEmptyAnswer: a 200 with no body (the connection closed
// early, contract §1.8) is asked again, not returned.
func TestWatchRetriesAnEmptyAnswer(t *testing.T) {
	log := &eventLog{start: 4, events: []uint64{5}, emptyFirst: 2}
	f := newFake(t, log.serve)
	c := newTestClient(t, Config{Endpoints: []string{f.URL}})
	if got := fmt.Sprint(nextN(t, c.Watcher("/w", nil), 1)); got != "[5]" {
		t.Errorf("events %s", got)
	}
	if got := fmt.Sprint(waitIndexes(f)); got != "[0 5 5]" {
		t.Errorf("waitIndexes %s, want [0 5 5]", got)
	}
}

// TestWatchEventIndexClearedIsTyped: a waitIndex older than the history
// comes back as error 401 (HTTP 400) that callers can test for and re-sync.
func TestWatchEventIndexClearedIsTyped(t *testing.T) {
	log := &eventLog{start: 1200, oldest: 201}
	f := newFake(t, log.serve)
	c := newTestClient(t, Config{Endpoints: []string{f.URL}})
	_, err := c.Watcher("/w", &WatchOptions{AfterIndex: 9}).Next(context.Background())
	var e *Error
	if !IsEventIndexCleared(err) || !errors.As(err, &e) {
		t.Fatalf("err = %v, want error 401", err)
	}
	if e.StatusCode != http.StatusBadRequest || e.Index != 1200 || e.Cause != "the requested history has been cleared [201/10]" {
		t.Errorf("error %+v", e)
	}
}

// TestWatchStopsWithItsContextAndResumes: Next returns when its context
// ends; a later Next picks up the next event.
func TestWatchStopsWithItsContextAndResumes(t *testing.T) {
	for _, stream := range []bool{false, true} {
		log := &eventLog{start: 4, hold: true}
		f := newFake(t, log.serve)
		c := newTestClient(t, Config{Endpoints: []string{f.URL}})
		w := c.Watcher("/w", &WatchOptions{Stream: stream})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		_, err := w.Next(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("stream=%v: Next = %v, want deadline exceeded", stream, err)
		}
		log.add(5)
		if got := fmt.Sprint(nextN(t, w, 1)); got != "[5]" {
			t.Errorf("stream=%v: events %s", stream, got)
		}
		w.Close()
	}
}

// TestWatchGarbageIsAnError: an answer that is not JSON is reported, not
// retried forever.
func TestWatchGarbageIsAnError(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>")) })
	c := newTestClient(t, Config{Endpoints: []string{f.URL}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Watcher("/w", nil).Next(ctx); err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want a decoding error", err)
	}
	if len(f.requests()) != 1 {
		t.Errorf("%d requests, want 1", len(f.requests()))
	}
}
