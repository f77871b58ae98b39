package discovery

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Contract §7.1 step 4: when more than size members are listed after this
// one registered, only the first size by createdIndex make the cluster.
func TestJoinUsesOnlyTheFirstSizeRegistrationsOfTheListing(t *testing.T) {
	ks := startKeyService(t)
	durl := ks.newToken(t, "first", "2")
	ms := members(4)
	ks.put(t, "/_etcd/registry/first/"+ms[1].id(durl).String(), ms[1].value())
	// Two more members register right after ms[0] has (when it waits to
	// see its own entry), before its second listing.
	var once sync.Once
	ks.onRequest = func(r *http.Request) {
		if r.URL.Query().Get("wait") == "true" && strings.HasSuffix(r.URL.Path, ms[0].id(durl).String()) {
			once.Do(func() {
				ks.put(t, "/_etcd/registry/first/"+ms[2].id(durl).String(), ms[2].value())
				ks.put(t, "/_etcd/registry/first/"+ms[3].id(durl).String(), ms[3].value())
			})
		}
	}
	got, err := join(joinCtx(t), t, durl, ms[0])
	if err != nil {
		t.Fatalf("Join: %v", err)
	}
	if want := ms[1].value() + "," + ms[0].value(); got != want {
		t.Errorf("initial cluster = %s, want %s (the first two by createdIndex)", got, want)
	}
}

// Contract §7.1 step 4: a member that is early watches the directory from
// X-Etcd-Index+1; registrations count in the order they are made, other
// changes (a value rewritten, a key deeper down) do not, and registrations
// after the size-th are ignored.
func TestJoinWaitsForTheOthersWithARecursiveWatch(t *testing.T) {
	ks := startKeyService(t)
	durl := ks.newToken(t, "wait", "3")
	ms := members(4)
	dir := "/_etcd/registry/wait/"
	ks.put(t, dir+ms[1].id(durl).String(), ms[1].value())
	watching := make(chan struct{})
	var once sync.Once
	ks.onRequest = func(r *http.Request) {
		if r.URL.Query().Get("recursive") == "true" && r.URL.Query().Get("wait") == "true" {
			once.Do(func() { close(watching) })
		}
	}
	done := make(chan struct{})
	var got string
	var err error
	go func() {
		defer close(done)
		got, err = join(joinCtx(t), t, durl, ms[0])
	}()
	select {
	case <-watching:
	case <-done:
		t.Fatalf("Join returned before waiting: %q, %v", got, err)
	}
	ks.put(t, dir+ms[1].id(durl).String(), "rewritten=http://127.0.0.1:1") // not a new member
	ks.put(t, dir+"sub/deeper", "x=http://127.0.0.1:2")                    // not a registration
	ks.put(t, dir+ms[2].id(durl).String(), ms[2].value())
	ks.put(t, dir+ms[3].id(durl).String(), ms[3].value()) // too late, or not seen at all
	<-done
	if err != nil {
		t.Fatalf("Join: %v", err)
	}
	if want := ms[1].value() + "," + ms[0].value() + "," + ms[2].value(); got != want {
		t.Errorf("initial cluster = %s\nwant %s", got, want)
	}
}

// Every wait honours the caller's context: a member alone on a size-3 token
// returns context.Canceled when it is cancelled.
func TestJoinReturnsWhenTheContextEnds(t *testing.T) {
	ks := startKeyService(t)
	durl := ks.newToken(t, "alone", "3")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := join(ctx, t, durl, members(1)[0])
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Join took %v to notice its context ended", d)
	}
}

// Contract §7.1: while the service cannot be reached, Join retries with the
// backoff (2^n seconds in production, injected here) and then succeeds.
func TestJoinRetriesWithBackoffWhileTheServiceIsUnreachable(t *testing.T) {
	ks := startKeyService(t)
	durl := ks.newToken(t, "retry", "1")
	ks.dropNext.Store(3)
	var mu sync.Mutex
	var retries []int
	d, err := New(durl, Options{Logger: testLogger(t), Backoff: func(n int) time.Duration {
		mu.Lock()
		defer mu.Unlock()
		retries = append(retries, n)
		return time.Millisecond
	}})
	if err != nil {
		t.Fatal(err)
	}
	m := members(1)[0]
	got, err := d.Join(joinCtx(t), m.id(durl), m.name, []string{m.peer})
	if err != nil || got != m.value() {
		t.Fatalf("Join = %q, %v; want %q", got, err, m.value())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(retries) != 3 || retries[0] != 1 || retries[2] != 3 {
		t.Errorf("backoff was asked for retries %v, want [1 2 3]", retries)
	}
}

// etcd's backoff: 2^n seconds, constant from n = 8 on.
func TestEtcdBackoffDoublesUpToTwoToTheEighthSeconds(t *testing.T) {
	for n, want := range map[int]time.Duration{1: 2 * time.Second, 2: 4 * time.Second, 8: 256 * time.Second, 30: 256 * time.Second} {
		if got := etcdBackoff(n); got != want {
			t.Errorf("etcdBackoff(%d) = %v, want %v", n, got, want)
		}
	}
}

// failFirstPut is a transport whose first PUT fails as a refused
// connection would, before anything is sent.
type failFirstPut struct {
	next   http.RoundTripper
	failed atomic.Bool
}

func (f *failFirstPut) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut && !f.failed.Swap(true) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}
	return f.next.RoundTrip(r)
}

// A registration that could not even connect is retried (nothing can have
// been registered), and the member joins.
func TestJoinRetriesARegistrationThatNeverConnected(t *testing.T) {
	ks := startKeyService(t)
	durl := ks.newToken(t, "dial", "1")
	var retries atomic.Int32
	d, err := New(durl, Options{Logger: testLogger(t), Transport: &failFirstPut{next: http.DefaultTransport},
		Backoff: func(int) time.Duration { retries.Add(1); return time.Millisecond }})
	if err != nil {
		t.Fatal(err)
	}
	m := members(1)[0]
	got, err := d.Join(joinCtx(t), m.id(durl), m.name, []string{m.peer})
	if err != nil || got != m.value() {
		t.Fatalf("Join = %q, %v; want %q", got, err, m.value())
	}
	if retries.Load() != 1 {
		t.Errorf("%d retries, want 1", retries.Load())
	}
}

// dropPutAnswer delivers every PUT but loses its answer, as a connection
// that breaks after the request went out.
type dropPutAnswer struct{ next http.RoundTripper }

func (d dropPutAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.next.RoundTrip(r)
	if err != nil || r.Method != http.MethodPut {
		return resp, err
	}
	resp.Body.Close()
	return nil, io.ErrUnexpectedEOF
}

// A registration whose connection broke after the request was sent is not
// retried: the service may have applied it, and a second PUT would report
// the member as its own duplicate.
func TestJoinDoesNotRetryARegistrationThatMayHaveArrived(t *testing.T) {
	ks := startKeyService(t)
	durl := ks.newToken(t, "lost", "1")
	d, err := New(durl, Options{Logger: testLogger(t), Transport: dropPutAnswer{next: http.DefaultTransport},
		Backoff: func(int) time.Duration { return time.Millisecond }})
	if err != nil {
		t.Fatal(err)
	}
	m := members(1)[0]
	_, err = d.Join(joinCtx(t), m.id(durl), m.name, []string{m.peer})
	if err == nil || !strings.Contains(err.Error(), "registering member") || errors.Is(err, ErrDuplicateID) {
		t.Fatalf("err = %v, want the registration's own failure", err)
	}
	if v := ks.get("/_etcd/registry/lost/" + m.id(durl).String()); v != m.value() {
		t.Errorf("the service holds %q, want the registration %q", v, m.value())
	}
}

// A service that accepts the request but sends no answer within
// RequestTimeout is retried like one that cannot be reached.
func TestJoinRetriesAServiceThatDoesNotAnswerInTime(t *testing.T) {
	ks := startKeyService(t)
	durl := ks.newToken(t, "slow", "1")
	var hung atomic.Int32
	ks.onRequest = func(r *http.Request) {
		if hung.Add(1) <= 2 {
			<-r.Context().Done() // the client gave up on this one
		}
	}
	var retries atomic.Int32
	d, err := New(durl, Options{Logger: testLogger(t), RequestTimeout: 50 * time.Millisecond,
		Backoff: func(int) time.Duration { retries.Add(1); return time.Millisecond }})
	if err != nil {
		t.Fatal(err)
	}
	m := members(1)[0]
	got, err := d.Join(joinCtx(t), m.id(durl), m.name, []string{m.peer})
	if err != nil || got != m.value() {
		t.Fatalf("Join = %q, %v; want %q", got, err, m.value())
	}
	if retries.Load() != 2 {
		t.Errorf("%d retries, want 2", retries.Load())
	}
}
