package client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// deadEndpoint returns the URL of a port nothing listens on.
func deadEndpoint(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// hangingServer accepts requests and answers none until the test ends.
func hangingServer(t *testing.T) *fakeServer {
	t.Helper()
	release := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) }) // runs before the server's Close
	return f
}

// TestFailoverToTheNextEndpointAndStayThere: with the first endpoint down,
// the request is answered by the second, which is pinned so the next call
// goes straight to it.
func TestFailoverToTheNextEndpointAndStayThere(t *testing.T) {
	dead := deadEndpoint(t)
	live := newFake(t, answer(http.StatusOK, setReply))
	var tried []string
	c := newTestClient(t, Config{Endpoints: []string{dead, live.URL},
		OnRequest: func(tr RequestTrace) { tried = append(tried, tr.Endpoint) }})

	resp, err := c.Get(context.Background(), "/a", nil)
	if err != nil {
		t.Fatalf("Get with one live endpoint: %v", err)
	}
	if resp.Endpoint != live.URL || c.Pinned() != live.URL {
		t.Errorf("answered by %s, pinned %s; want %s", resp.Endpoint, c.Pinned(), live.URL)
	}
	if _, err := c.Get(context.Background(), "/a", nil); err != nil {
		t.Fatal(err)
	}
	want := []string{dead, live.URL, live.URL}
	if strings.Join(tried, " ") != strings.Join(want, " ") {
		t.Errorf("tried %v, want %v", tried, want)
	}
}

// TestNoEndpointReachableIsAClusterError: every endpoint down gives a
// *ClusterError with one error per endpoint, never an *Error.
func TestNoEndpointReachableIsAClusterError(t *testing.T) {
	c := newTestClient(t, Config{Endpoints: []string{deadEndpoint(t), deadEndpoint(t)}})
	_, err := c.Set(context.Background(), "/a", "1", nil)
	var ce *ClusterError
	if !errors.As(err, &ce) || !errors.Is(err, ErrClusterUnavailable) {
		t.Fatalf("err = %v, want a *ClusterError", err)
	}
	if len(ce.Errors) != 2 || !strings.Contains(ce.Errors[0].Error(), "connection refused") {
		t.Errorf("errors = %v, want two refused connections", ce.Errors)
	}
	var e *Error
	if errors.As(err, &e) {
		t.Error("an unreachable cluster must not look like a v2 error")
	}
}

// TestServerErrorFailsOver: a 5xx (a member without a leader) sends the
// request to the next endpoint; a 4xx is the cluster's answer and is not
// retried elsewhere.
func TestServerErrorFailsOver(t *testing.T) {
	noLeader := newFake(t, answer(http.StatusInternalServerError,
		`{"errorCode":300,"message":"Raft Internal Error","cause":"etcdserver: request timed out","index":0}`))
	live := newFake(t, answer(http.StatusOK, setReply))
	c := newTestClient(t, Config{Endpoints: []string{noLeader.URL, live.URL}})
	if resp, err := c.Get(context.Background(), "/a", nil); err != nil || resp.Endpoint != live.URL {
		t.Fatalf("Get = %v, %v; want an answer from %s", resp, err, live.URL)
	}

	notFound := newFake(t, answer(http.StatusNotFound, `{"errorCode":100,"message":"Key not found","cause":"/a","index":5}`))
	c2 := newTestClient(t, Config{Endpoints: []string{notFound.URL, live.URL}})
	if _, err := c2.Get(context.Background(), "/a", nil); !IsKeyNotFound(err) {
		t.Fatalf("Get = %v, want key not found from the first endpoint", err)
	}
	if n := len(live.requests()); n != 1 {
		t.Errorf("the live endpoint got %d requests, want 1 (a 404 must not fail over)", n)
	}

	onlyBad := newTestClient(t, Config{Endpoints: []string{noLeader.URL}})
	_, err := onlyBad.Get(context.Background(), "/a", nil)
	if !errors.Is(err, ErrClusterUnavailable) || !strings.Contains(err.Error(), "etcd member "+noLeader.URL+" has no leader") {
		t.Errorf("err = %v, want etcd's no-leader cluster error", err)
	}
}

// TestHeaderTimeoutMovesOn: an endpoint that accepts but never answers is
// given up after HeaderTimeout and the next one answers.
func TestHeaderTimeoutMovesOn(t *testing.T) {
	hang := hangingServer(t)
	live := newFake(t, answer(http.StatusOK, setReply))
	c := newTestClient(t, Config{Endpoints: []string{hang.URL, live.URL}, HeaderTimeout: 100 * time.Millisecond})
	start := time.Now()
	resp, err := c.Get(context.Background(), "/a", nil)
	if err != nil || resp.Endpoint != live.URL {
		t.Fatalf("Get = %v, %v", resp, err)
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > 5*time.Second {
		t.Errorf("took %v, want about the 100ms header timeout", d)
	}

	alone := newTestClient(t, Config{Endpoints: []string{hang.URL}, HeaderTimeout: 50 * time.Millisecond})
	_, err = alone.Get(context.Background(), "/a", nil)
	want := "client: endpoint " + hang.URL + " exceeded header timeout"
	if !errors.Is(err, ErrClusterUnavailable) || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want %q", err, want)
	}
}

// TestHeaderTimeoutDoesNotCutTheBody: the header timeout ends when the
// headers arrive; a slow body is still read.
func TestHeaderTimeoutDoesNotCutTheBody(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		time.Sleep(150 * time.Millisecond)
		w.Write([]byte(setReply))
	})
	c := newTestClient(t, Config{Endpoints: []string{f.URL}, HeaderTimeout: 50 * time.Millisecond})
	if resp, err := c.Get(context.Background(), "/a", nil); err != nil || resp.Node.Value != "1" {
		t.Fatalf("Get = %v, %v", resp, err)
	}
}

// TestTotalTimeoutEndsTheCall: TotalTimeout bounds the whole call and comes
// back as context.DeadlineExceeded, which etcdctl prints as is.
func TestTotalTimeoutEndsTheCall(t *testing.T) {
	hang := hangingServer(t)
	c := newTestClient(t, Config{Endpoints: []string{hang.URL, hang.URL + "/"}, TotalTimeout: 100 * time.Millisecond})
	start := time.Now()
	_, err := c.Get(context.Background(), "/a", nil)
	if !errors.Is(err, context.DeadlineExceeded) || err.Error() != "context deadline exceeded" {
		t.Fatalf("err = %v, want context deadline exceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestCallerCancelIsReturnedAsIs: cancelling the caller's context ends the
// call with context.Canceled, not a ClusterError.
func TestCallerCancelIsReturnedAsIs(t *testing.T) {
	hang := hangingServer(t)
	c := newTestClient(t, Config{Endpoints: []string{hang.URL}})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := c.Members(ctx); !errors.Is(err, context.Canceled) || errors.Is(err, ErrClusterUnavailable) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestSyncUsesTheMembersClientURLs: Sync replaces the endpoints with every
// started member's client URLs (etcdctl without --no-sync).
func TestSyncUsesTheMembersClientURLs(t *testing.T) {
	var calls atomic.Int32
	var f *fakeServer
	f = newFake(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		answer(http.StatusOK, `{"members":[`+
			`{"id":"1","name":"n1","peerURLs":["http://p1"],"clientURLs":["`+f.URL+`","http://127.0.0.1:9"]},`+
			`{"id":"2","name":"","peerURLs":["http://p2"],"clientURLs":[]}]}`)(w, r)
	})
	c := newTestClient(t, Config{Endpoints: []string{deadEndpoint(t), f.URL}})
	if err := c.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Endpoints(), ","); got != f.URL+",http://127.0.0.1:9" {
		t.Errorf("endpoints after sync: %s", got)
	}
	if f.last(t).Path != "/v2/members" || calls.Load() != 1 {
		t.Errorf("sync sent %+v (%d calls)", f.last(t), calls.Load())
	}

	empty := newFake(t, answer(http.StatusOK, `{"members":[{"id":"2","name":"","peerURLs":["http://p2"],"clientURLs":[]}]}`))
	c2 := newTestClient(t, Config{Endpoints: []string{empty.URL}})
	if err := c2.Sync(context.Background()); !errors.Is(err, ErrNoEndpoints) || c2.Endpoints()[0] != empty.URL {
		t.Errorf("sync with no client URLs: %v, endpoints %v", err, c2.Endpoints())
	}
}

// TestConcurrentCallsShareOneClient: calls from many goroutines, while the
// endpoint list changes under them, all get answers (run with -race).
func TestConcurrentCallsShareOneClient(t *testing.T) {
	live := newFake(t, answer(http.StatusOK, setReply))
	dead := deadEndpoint(t)
	c := newTestClient(t, Config{Endpoints: []string{dead, live.URL}})
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if _, err := c.Get(ctx, "/a", nil); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 20 {
			eps := []string{dead, live.URL}
			if i%2 == 1 {
				eps = []string{live.URL, dead}
			}
			if err := c.SetEndpoints(eps); err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(live.requests()); n != 400 {
		t.Errorf("the live endpoint answered %d calls, want 400", n)
	}
}
