package ctl

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"skiff/client"
)

// countingServer is an httptest server running h that counts the
// connections it accepted, to tell a reused connection from a new one.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

// testPerfConn is a perfConn to the given endpoints for keys under
// /skiffctl-perf, writing value, with a 5-second bound per exchange.
func testPerfConn(t *testing.T, value string, endpoints ...string) *perfConn {
	t.Helper()
	targets, err := perfTargets(endpoints, nil, "", "", "/skiffctl-perf", value)
	if err != nil {
		t.Fatal(err)
	}
	c := newPerfConn(context.Background(), targets, 5*time.Second)
	t.Cleanup(c.close)
	return c
}

// mustExchange runs n operations of kind on c, on keys 0 to n-1, failing
// the test at the first error.
func mustExchange(t *testing.T, c *perfConn, kind opKind, n int) {
	t.Helper()
	for i := range n {
		if err := c.do(kind, i, time.Now()); err != nil {
			t.Fatalf("exchange %d: %v", i, err)
		}
	}
}

// TestPerfConnSendsTheThreeOperations: a PUT with the value as a form, a
// GET, and a GET with quorum=true, each on the key perfKey names, with
// Basic credentials when a user is given.
func TestPerfConnSendsTheThreeOperations(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.EscapedPath()+" ?"+r.URL.RawQuery+" "+
			r.Header.Get("Content-Type")+" value="+r.PostFormValue("value")+" "+user+":"+pass)
		mu.Unlock()
	})
	targets, err := perfTargets([]string{srv.URL}, nil, "ann", "s3cret", "/skiffctl-perf", "a b&c=d")
	if err != nil {
		t.Fatal(err)
	}
	c := newPerfConn(context.Background(), targets, 5*time.Second)
	defer c.close()
	for _, kind := range []opKind{opWrite, opRead, opQuorum} {
		if err := c.do(kind, 42, time.Now()); err != nil {
			t.Fatalf("%s: %v", opNames[kind], err)
		}
	}
	want := []string{
		"PUT /v2/keys/skiffctl-perf/k0000042 ? application/x-www-form-urlencoded value=a b&c=d ann:s3cret",
		"GET /v2/keys/skiffctl-perf/k0000042 ?  value= ann:s3cret",
		"GET /v2/keys/skiffctl-perf/k0000042 ?quorum=true  value= ann:s3cret",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestPerfConnNamesTheKeysThePreloadWrote: for prefixes that need cleaning
// or escaping, the raw loop asks for the same path the client package (and
// so the preload) uses for perfKey.
func TestPerfConnNamesTheKeysThePreloadWrote(t *testing.T) {
	paths := make(chan string, 2)
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		paths <- r.URL.EscapedPath()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"action":"get","node":{"key":"/x","value":"v","modifiedIndex":1,"createdIndex":1}}`)
	})
	cl, err := client.New(client.Config{Endpoints: []string{srv.URL + "/base/"}})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for _, prefix := range []string{"/skiffctl-perf", "/a b/%c/", "/x/../y", "/./", "//p"} {
		for _, key := range []int{0, 42, 1234567, 12345678} {
			if _, err := cl.Get(context.Background(), perfKey(prefix, key), nil); err != nil {
				t.Fatal(err)
			}
			targets, err := perfTargets([]string{srv.URL + "/base/"}, nil, "", "", prefix, "v")
			if err != nil {
				t.Fatal(err)
			}
			c := newPerfConn(context.Background(), targets, 5*time.Second)
			if err := c.do(opRead, key, time.Now()); err != nil {
				t.Fatal(err)
			}
			c.close()
			if want, got := <-paths, <-paths; got != want {
				t.Errorf("prefix %q key %d: raw loop asks for %q, the client for %q", prefix, key, got, want)
			}
		}
	}
}

// TestPerfConnReadsBodiesAndKeepsTheConnection: answers with a
// Content-Length, chunked answers, empty ones and 201s are read to their
// end, so every exchange reuses the one connection.
func TestPerfConnReadsBodiesAndKeepsTheConnection(t *testing.T) {
	var n atomic.Int64
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) % 4 {
		case 0: // chunked: flushed in pieces, with no length known
			for i := range 3 {
				io.WriteString(w, strings.Repeat("x", 1000*i+1))
				w.(http.Flusher).Flush()
			}
		case 1:
			w.Header().Set("Content-Length", "5000")
			io.WriteString(w, strings.Repeat("y", 5000))
		case 2:
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"action":"set"}`)
		case 3: // no body at all
		}
	})
	c := testPerfConn(t, "v", srv.URL)
	mustExchange(t, c, opWrite, 20)
	if got := conns.Load(); got != 1 {
		t.Errorf("20 exchanges used %d connections, want 1", got)
	}
}

// TestPerfConnReconnectsWhenTheServerCloses: after an answer with
// "Connection: close" the next exchange connects again and succeeds; after
// the server drops the connection unannounced, one exchange fails and the
// next one connects again.
func TestPerfConnReconnectsWhenTheServerCloses(t *testing.T) {
	var n atomic.Int64
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Connection", "close")
		}
		io.WriteString(w, "{}")
	})
	c := testPerfConn(t, "v", srv.URL)
	mustExchange(t, c, opRead, 3)
	if got := conns.Load(); got != 2 {
		t.Errorf("connections after Connection: close: %d, want 2", got)
	}

	srv.CloseClientConnections()
	if err := c.do(opRead, 1, time.Now()); err == nil {
		t.Errorf("an exchange on a connection the server closed succeeded")
	}
	if err := c.do(opRead, 1, time.Now()); err != nil {
		t.Errorf("the exchange after a dropped connection: %v", err)
	}
	if got := conns.Load(); got != 3 {
		t.Errorf("connections after the server closed one: %d, want 3", got)
	}
}

// TestPerfConnCountsErrorStatuses: a PUT succeeds on 200 and 201, a GET
// only on 200; anything else is an error that says the request, the
// status and the start of the body, and the connection stays in use.
func TestPerfConnCountsErrorStatuses(t *testing.T) {
	status := make(chan int, 1)
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(<-status)
		io.WriteString(w, `{"errorCode":100,"message":"Key not found"}`)
	})
	c := testPerfConn(t, "v", srv.URL)
	for _, tc := range []struct {
		kind   opKind
		status int
		ok     bool
	}{
		{opWrite, 200, true}, {opWrite, 201, true}, {opRead, 200, true}, {opQuorum, 200, true},
		{opRead, 201, false}, {opRead, 404, false}, {opQuorum, 500, false}, {opWrite, 307, false}, {opWrite, 412, false},
	} {
		status <- tc.status
		err := c.do(tc.kind, 7, time.Now())
		if tc.ok != (err == nil) {
			t.Errorf("%s answered %d: error %v, want an error: %v", opNames[tc.kind], tc.status, err, !tc.ok)
		}
		var se *perfStatusError
		if err != nil && (!errors.As(err, &se) || se.status != tc.status ||
			!strings.Contains(err.Error(), "/v2/keys/skiffctl-perf/k0000007") || !strings.Contains(err.Error(), "Key not found")) {
			t.Errorf("%s answered %d: error %q lacks the request, status or body", opNames[tc.kind], tc.status, err)
		}
	}
	if got := conns.Load(); got != 1 {
		t.Errorf("error statuses cost new connections: %d, want 1", got)
	}
}

// rawServer answers each connection by running answer on it, for answers
// net/http would never send.
func rawServer(t testing.TB, answer func(net.Conn, *bufio.Reader)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				answer(conn, bufio.NewReader(conn))
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// readRequestHead reads a request up to the blank line after its headers
// (check perf's GETs have no body).
func readRequestHead(br *bufio.Reader) error {
	for {
		line, err := br.ReadString('\n')
		if err != nil || line == "\r\n" {
			return err
		}
	}
}

// TestPerfConnRefusesMalformedAnswers: a bad status line or header is an
// error and the connection is dropped; the next exchange connects again.
func TestPerfConnRefusesMalformedAnswers(t *testing.T) {
	for _, bad := range []string{
		"garbage\r\n\r\n",
		"HTTP/1.1 2x0 OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", // then the server hangs up
	} {
		var conns atomic.Int64
		ep := rawServer(t, func(conn net.Conn, br *bufio.Reader) {
			conns.Add(1)
			for readRequestHead(br) == nil {
				io.WriteString(conn, bad)
				if strings.HasSuffix(bad, "short") {
					return
				}
			}
		})
		c := testPerfConn(t, "v", ep)
		for i := range 2 {
			if err := c.do(opRead, 1, time.Now()); err == nil {
				t.Errorf("answer %q taken as a success", bad)
			}
			if c.conn != nil {
				t.Errorf("answer %q: the connection is kept after exchange %d", bad, i)
			}
		}
		if got := conns.Load(); got != 2 {
			t.Errorf("answer %q: %d connections for two exchanges, want 2", bad, got)
		}
	}
}

// TestPerfConnReadsABodyToTheEnd: an answer with neither Content-Length
// nor chunking runs to the end of the connection, which is then dropped;
// so is the connection after an HTTP/1.0 answer. 1xx answers are skipped.
func TestPerfConnReadsABodyToTheEnd(t *testing.T) {
	for _, answer := range []string{
		"HTTP/1.1 200 OK\r\n\r\nbody until the end",
		"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}",
	} {
		ep := rawServer(t, func(conn net.Conn, br *bufio.Reader) {
			if readRequestHead(br) == nil {
				io.WriteString(conn, answer)
			}
		})
		c := testPerfConn(t, "v", ep)
		for i := range 2 {
			if err := c.do(opRead, 1, time.Now()); err != nil || c.conn != nil {
				t.Errorf("answer %q, exchange %d: error %v, connection kept %v", answer, i, err, c.conn != nil)
			}
		}
	}
}

// TestPerfConnSpeaksTLS: an https endpoint is reached with the session's
// TLS configuration, the server name taken from the endpoint.
func TestPerfConnSpeaksTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	targets, err := perfTargets([]string{srv.URL}, &tls.Config{RootCAs: roots}, "", "", "/p", "v")
	if err != nil {
		t.Fatal(err)
	}
	c := newPerfConn(context.Background(), targets, 5*time.Second)
	defer c.close()
	mustExchange(t, c, opWrite, 3)
	if _, ok := c.conn.(*tls.Conn); !ok {
		t.Errorf("connection is %T, want *tls.Conn", c.conn)
	}
}

// TestPerfConnTriesTheNextEndpoint: when the first endpoint refuses the
// connection the worker uses the next one, as the client package fails
// over.
func TestPerfConnTriesTheNextEndpoint(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {})
	c := testPerfConn(t, "v", dead, srv.URL)
	if err := c.do(opRead, 1, time.Now()); err != nil {
		t.Fatalf("with the second endpoint up: %v", err)
	}
	srv.Close()
	c.do(opRead, 1, time.Now()) // fails on the connection the server closed
	if err := c.do(opRead, 1, time.Now()); err == nil || !strings.Contains(err.Error(), "connecting") {
		t.Errorf("with no endpoint up: %v, want a connecting error", err)
	}
}

// TestPerfConnStopsWhenInterrupted: a cancelled run does not wait for an
// answer that never comes.
func TestPerfConnStopsWhenInterrupted(t *testing.T) {
	ep := rawServer(t, func(conn net.Conn, br *bufio.Reader) {
		readRequestHead(br)
		io.Copy(io.Discard, br) // never answers
	})
	targets, err := perfTargets([]string{ep}, nil, "", "", "/p", "v")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := newPerfConn(ctx, targets, 0)
	defer c.close()
	time.AfterFunc(50*time.Millisecond, cancel)
	if err := c.do(opRead, 1, time.Now()); err == nil {
		t.Errorf("an exchange with no answer succeeded")
	}
}

// cannedServer answers every request head it reads with answer, without
// allocating, so a benchmark against it measures the client side.
func cannedServer(b *testing.B, answer string) string {
	reply := []byte(answer)
	return rawServer(b, func(conn net.Conn, br *bufio.Reader) {
		for {
			for { // the request head, up to the blank line
				line, err := br.ReadSlice('\n')
				if err != nil {
					return
				}
				if len(line) == 2 {
					break
				}
			}
			if _, err := conn.Write(reply); err != nil {
				return
			}
		}
	})
}

// benchBody is what skiff answers a GET of a 100-byte value, and
// benchAnswer the whole answer with skiff's headers.
const benchBody = `{"action":"get","node":{"key":"/skiffctl-perf/k0000042","value":"` +
	"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv" +
	`","modifiedIndex":1042,"createdIndex":42}}`

var benchAnswer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Etcd-Cluster-Id: 7e27652122e8b2ae\r\n" +
	"X-Etcd-Index: 1042\r\nX-Raft-Index: 2097\r\nX-Raft-Term: 3\r\nDate: Tue, 24 Nov 2026 07:00:00 GMT\r\n" +
	"Content-Length: " + strconv.Itoa(len(benchBody)) + "\r\n\r\n" + benchBody

// BenchmarkPerfConnExchange is one GET of check perf's measured loop over
// loopback; compare BenchmarkPerfClientExchange, the same GET through the
// client package, which the loop used before.
func BenchmarkPerfConnExchange(b *testing.B) {
	targets, err := perfTargets([]string{cannedServer(b, benchAnswer)}, nil, "", "", "/skiffctl-perf", "v")
	if err != nil {
		b.Fatal(err)
	}
	c := newPerfConn(context.Background(), targets, 5*time.Second)
	defer c.close()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.do(opRead, 42, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPerfClientExchange(b *testing.B) {
	cl, err := client.New(client.Config{Endpoints: []string{cannedServer(b, benchAnswer)}})
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cl.Get(ctx, perfKey("/skiffctl-perf", 42), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPerfConnMovesLargeBodies: a value far larger than a socket's buffer
// goes out whole (the raw write waits for room and goes on), and an
// answer as large comes back whole, on a connection made of raw reads and
// writes.
func TestPerfConnMovesLargeBodies(t *testing.T) {
	value := strings.Repeat("v", 8<<20)
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if got := r.PostFormValue("value"); got != value {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		io.WriteString(w, value)
	})
	c := testPerfConn(t, value, srv.URL)
	mustExchange(t, c, opWrite, 2)
	if _, ok := c.conn.(*rawTCP); !ok {
		t.Errorf("connection is %T, want *rawTCP", c.conn)
	}
}

// TestPerfConnBoundsAnExchangeAndRenewsTheBound: an answer that does not
// come within the timeout fails the exchange with a deadline error, while
// a connection used for many timeouts' worth of time keeps working, its
// deadline moved on as it goes.
func TestPerfConnBoundsAnExchangeAndRenewsTheBound(t *testing.T) {
	const timeout = 50 * time.Millisecond
	silent := make(chan bool, 1)
	ep := rawServer(t, func(conn net.Conn, br *bufio.Reader) {
		for readRequestHead(br) == nil {
			if len(silent) > 0 {
				io.Copy(io.Discard, br)
				return
			}
			io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
		}
	})
	targets, err := perfTargets([]string{ep}, nil, "", "", "/p", "v")
	if err != nil {
		t.Fatal(err)
	}
	c := newPerfConn(context.Background(), targets, timeout)
	defer c.close()
	for end := time.Now().Add(6 * timeout); time.Now().Before(end); {
		if err := c.do(opRead, 1, time.Now()); err != nil {
			t.Fatalf("exchange on a connection in use for several timeouts: %v", err)
		}
	}
	silent <- true
	if err := c.do(opRead, 1, time.Now()); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("unanswered exchange: %v, want a deadline error", err)
	}
}
