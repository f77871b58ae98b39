package v2http

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"skiff/store"
)

// openWatch starts a watch and returns as soon as the headers are in, which
// proves they are flushed before any event (§1.5).
func openWatch(t *testing.T, ctx context.Context, rawURL string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("watch %s: %v", rawURL, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// readAllWithin reads the body to its end, failing if that takes too long.
func readAllWithin(t *testing.T, body io.Reader, d time.Duration) string {
	t.Helper()
	done := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(body)
		done <- string(b)
	}()
	select {
	case s := <-done:
		return s
	case <-time.After(d):
		t.Fatalf("the watch response did not end within %v", d)
		return ""
	}
}

// put writes straight to the fake member, as another client would.
func put(t *testing.T, fs *fakeServer, key, value string) {
	t.Helper()
	if _, err := fs.Do(context.Background(), &store.Request{Method: "PUT", Namespace: store.Keys, Key: key, Value: value}); err != nil {
		t.Fatalf("PUT %s: %v", key, err)
	}
}

// TestWatchLongPollSendsHeadersAtOnceThenOneEvent: §1.8 — 200 with headers
// flushed before any event, X-Etcd-Index the index when the watch began,
// chunked, then exactly one event and the end of the response.
func TestWatchLongPollSendsHeadersAtOnceThenOneEvent(t *testing.T) {
	ts, fs := newTestAPI(t)
	put(t, fs, "/other", "x")
	resp := openWatch(t, context.Background(), ts.URL+"/v2/keys/w?wait=true")
	if resp.StatusCode != 200 || resp.Header.Get("X-Etcd-Index") != "1" || resp.Header.Get("X-Raft-Index") == "" {
		t.Fatalf("watch headers: %d %v", resp.StatusCode, resp.Header)
	}
	if len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked" {
		t.Errorf("Transfer-Encoding %v, want chunked", resp.TransferEncoding)
	}
	put(t, fs, "/w", "1")
	put(t, fs, "/w", "2")
	got := readAllWithin(t, resp.Body, 5*time.Second)
	want := `{"action":"set","node":{"key":"/w","value":"1","modifiedIndex":2,"createdIndex":2}}` + "\n"
	if got != want {
		t.Errorf("watch body:\n got %q\nwant %q", got, want)
	}
}

// TestWatchWaitIndexInThePastAnswersFromHistory: the first matching event at
// or after waitIndex comes back at once, prevNode included (§1.8).
func TestWatchWaitIndexInThePastAnswersFromHistory(t *testing.T) {
	ts, fs := newTestAPI(t)
	put(t, fs, "/h", "1")
	put(t, fs, "/x", "1")
	put(t, fs, "/h", "2")
	r := call(t, "GET", ts.URL+"/v2/keys/h?wait=true&waitIndex=2", "")
	want := `{"action":"set","node":{"key":"/h","value":"2","modifiedIndex":3,"createdIndex":3},"prevNode":{"key":"/h","value":"1","modifiedIndex":1,"createdIndex":1}}` + "\n"
	if r.status != 200 || r.body != want || r.header.Get("X-Etcd-Index") != "3" {
		t.Errorf("got %d %q (X-Etcd-Index %q), want 200 %q", r.status, r.body, r.header.Get("X-Etcd-Index"), want)
	}
}

// TestWatchWaitIndexInTheFutureWaitsForIt: an event below waitIndex does not
// fire the watch (§1.8).
func TestWatchWaitIndexInTheFutureWaitsForIt(t *testing.T) {
	ts, fs := newTestAPI(t)
	resp := openWatch(t, context.Background(), ts.URL+"/v2/keys/f?wait=true&waitIndex=2")
	put(t, fs, "/f", "1")
	put(t, fs, "/f", "2")
	got := readAllWithin(t, resp.Body, 5*time.Second)
	if !strings.Contains(got, `"value":"2","modifiedIndex":2`) {
		t.Errorf("watch from index 2 got %q", got)
	}
}

// TestWatchClearedHistoryIs401WithHTTP400: §10.1 and §1.8's exact error.
func TestWatchClearedHistoryIs401WithHTTP400(t *testing.T) {
	ts, fs := newTestAPI(t)
	for i := 0; i < 1005; i++ {
		put(t, fs, "/busy", "v")
	}
	r := call(t, "GET", ts.URL+"/v2/keys/busy?wait=true&waitIndex=1", "")
	want := `{"errorCode":401,"message":"The event in requested index is outdated and cleared","cause":"the requested history has been cleared [6/1]","index":1005}` + "\n"
	if r.status != 400 || r.body != want || r.header.Get("X-Etcd-Index") != "1005" {
		t.Errorf("got %d %q, want 400 %q", r.status, r.body, want)
	}
}

// TestWatchStreamSendsEveryEventAsALine: stream=true keeps the response open
// and writes one JSON event per line (§1.8); a recursive stream sees the
// subtree.
func TestWatchStreamSendsEveryEventAsALine(t *testing.T) {
	ts, fs := newTestAPI(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp := openWatch(t, ctx, ts.URL+"/v2/keys/dir?wait=true&stream=true&recursive=true")
	lines := bufio.NewScanner(resp.Body)
	for i, key := range []string{"/dir/a", "/dir/b/c", "/elsewhere"} {
		put(t, fs, key, "v")
		if key == "/elsewhere" {
			continue
		}
		if !lines.Scan() {
			t.Fatalf("event %d: stream ended: %v", i, lines.Err())
		}
		if want := `"key":"` + key + `"`; !strings.Contains(lines.Text(), want) {
			t.Errorf("event %d: %s, want %s", i, lines.Text(), want)
		}
	}
	// Deleting the watched dir itself is seen too.
	if _, err := fs.Do(ctx, &store.Request{Method: "DELETE", Namespace: store.Keys, Key: "/dir", Recursive: true}); err != nil {
		t.Fatal(err)
	}
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), `{"action":"delete","node":{"key":"/dir","dir":true`) {
		t.Errorf("delete event: %q %v", lines.Text(), lines.Err())
	}
}

// TestWatchQuorumWinsOverWait: quorum=true&wait=true is a linearizable read,
// not a watch, as etcd's QGET (§1.2).
func TestWatchQuorumWinsOverWait(t *testing.T) {
	ts, fs := newTestAPI(t)
	put(t, fs, "/q", "1")
	r := call(t, "GET", ts.URL+"/v2/keys/q?wait=true&quorum=true", "")
	if r.status != 200 || !strings.HasPrefix(r.body, `{"action":"get"`) || fs.reads != 1 {
		t.Errorf("got %d %q after %d reads", r.status, r.body, fs.reads)
	}
}

// TestWatchClientDisconnectLeavesNoWatcherOrGoroutine: a client that goes
// away mid-watch (plain or stream) ends the handler and removes the watcher.
func TestWatchClientDisconnectLeavesNoWatcherOrGoroutine(t *testing.T) {
	ts, fs := newTestAPI(t)
	before := runtime.NumGoroutine()
	for _, q := range []string{"wait=true", "wait=true&stream=true"} {
		ctx, cancel := context.WithCancel(context.Background())
		resp := openWatch(t, ctx, ts.URL+"/v2/keys/gone?"+q)
		waitFor(t, func() bool { return fs.st.Stats().Watchers == 1 }, "the watcher to register")
		cancel()
		resp.Body.Close()
		waitFor(t, func() bool { return fs.st.Stats().Watchers == 0 }, "the watcher to be removed ("+q+")")
	}
	http.DefaultClient.CloseIdleConnections()
	waitFor(t, func() bool { return runtime.NumGoroutine() <= before }, "the watch goroutines to end")
}

// TestWatchSlowStreamReaderIsDroppedWithoutBlockingWrites: a stream whose
// client reads nothing falls behind, the store removes its watcher, writes
// never wait for it, and its response simply ends (§1.8).
func TestWatchSlowStreamReaderIsDroppedWithoutBlockingWrites(t *testing.T) {
	ts, fs := newTestAPI(t)
	resp := openWatch(t, context.Background(), ts.URL+"/v2/keys/s?wait=true&stream=true")
	waitFor(t, func() bool { return fs.st.Stats().Watchers == 1 }, "the watcher to register")
	// Values large enough that the socket buffers fill and the handler's
	// writes block, so the store's buffer of 100 overflows.
	big := strings.Repeat("v", 64<<10)
	start := time.Now()
	for i := 0; i < 400; i++ {
		put(t, fs, "/s", big)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("400 writes took %v with a stalled watcher", d)
	}
	waitFor(t, func() bool { return fs.st.Stats().Watchers == 0 }, "the slow watcher to be removed")
	body := readAllWithin(t, resp.Body, 10*time.Second)
	if n := strings.Count(body, "\n"); n == 0 || n >= 400 {
		t.Errorf("the dropped stream delivered %d events, want some but not all 400", n)
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestWatchEndsWhenTheMemberStops: closing Config.Done ends every watch, so
// a server shutdown is not held up by long polls.
func TestWatchEndsWhenTheMemberStops(t *testing.T) {
	done := make(chan struct{})
	ts, fs := newTestAPI(t, func(c *Config) { c.Done = done })
	plain := openWatch(t, context.Background(), ts.URL+"/v2/keys/x?wait=true")
	stream := openWatch(t, context.Background(), ts.URL+"/v2/keys/x?wait=true&stream=true")
	waitFor(t, func() bool { return fs.st.Stats().Watchers == 2 }, "both watchers to register")
	close(done)
	for _, resp := range []*http.Response{plain, stream} {
		if body := readAllWithin(t, resp.Body, 5*time.Second); body != "" {
			t.Errorf("a watch ended by shutdown sent %q", body)
		}
	}
	waitFor(t, func() bool { return fs.st.Stats().Watchers == 0 }, "the watchers to be removed")
}
