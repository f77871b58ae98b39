package v2http

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"skiff/server/limits"
	"skiff/store"
)

// BenchmarkKeysPut measures the HTTP layer's cost of a write over an instant
// member: parsing, dispatch, the store, and the JSON answer.
func BenchmarkKeysPut(b *testing.B) {
	h, err := New(Config{Server: newFakeServer()})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		req := httptest.NewRequest("PUT", "/v2/keys/bench/k"+strconv.Itoa(i%1000), strings.NewReader("value=v&ttl=100"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated && rec.Code != http.StatusOK {
			b.Fatalf("PUT: %d %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkKeysGet measures a local read of one key.
func BenchmarkKeysGet(b *testing.B) { benchGet(b, "/v2/keys/bench/k") }

// BenchmarkKeysQuorumGet measures a quorum read of one key over a member
// whose read index is instant: the timeout context, then the local read.
func BenchmarkKeysQuorumGet(b *testing.B) { benchGet(b, "/v2/keys/bench/k?quorum=true") }

// benchGet measures GET target against one stored key.
func benchGet(b *testing.B, target string) {
	fs := newFakeServer()
	h, err := New(Config{Server: fs})
	if err != nil {
		b.Fatal(err)
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("PUT", "/v2/keys/bench/k?value=v", nil))
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body)
		}
	}
}

// BenchmarkEventJSON compares encoding/json with the hand-written encoder on
// a set's event with a 100-byte value and a previous node.
func BenchmarkEventJSON(b *testing.B) {
	v, pv := strings.Repeat("v", 100), strings.Repeat("p", 100)
	ev := &store.Event{Action: "set",
		Node:     &store.NodeExtern{Key: "/bench/k", Value: &v, ModifiedIndex: 123456, CreatedIndex: 123456},
		PrevNode: &store.NodeExtern{Key: "/bench/k", Value: &pv, ModifiedIndex: 123400, CreatedIndex: 123400}}
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = json.NewEncoder(io.Discard).Encode(ev)
		}
	})
	b.Run("encodeEvent", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = encodeEvent(io.Discard, ev)
		}
	})
}

// BenchmarkServeStack measures what the member's client port runs per
// request above net/http: the limits (server/limits, as server/serve.go
// wraps the API) and the whole handler, for the three requests of
// `skiffctl check perf` (a PUT of a 100-byte form value, a GET, a GET
// ?quorum=true) over the instant fake member. Requests and the writer are
// reused, so allocs/op counts only what the stack (and the store behind it)
// allocates, not the test's own request building.
func BenchmarkServeStack(b *testing.B) {
	const keys = 1000
	form := url.Values{"value": {strings.Repeat("v", 100)}}.Encode()
	for _, tc := range []struct {
		name, method, query string
		body                bool
	}{
		{"put", "PUT", "", true},
		{"get", "GET", "", false},
		{"quorum-get", "GET", "quorum=true", false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			h, err := New(Config{Server: newFakeServer()})
			if err != nil {
				b.Fatal(err)
			}
			h = limits.Config{}.Wrap(h)
			reqs := make([]*http.Request, keys)
			bodies := make([]*strings.Reader, keys)
			closers := make([]io.ReadCloser, keys)
			for i := range reqs {
				target := fmt.Sprintf("/v2/keys/skiffctl-perf/k%07d", i)
				put := httptest.NewRequest("PUT", target, strings.NewReader(form))
				put.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				h.ServeHTTP(httptest.NewRecorder(), put) // every key exists, as after check perf's preload
				if tc.query != "" {
					target += "?" + tc.query
				}
				bodies[i] = strings.NewReader(form)
				closers[i] = io.NopCloser(bodies[i])
				if !tc.body {
					closers[i] = http.NoBody // as net/http gives a GET
				}
				reqs[i] = httptest.NewRequest(tc.method, target, nil)
				if tc.body {
					reqs[i].Header.Set("Content-Type", "application/x-www-form-urlencoded")
					reqs[i].ContentLength = int64(len(form))
				}
			}
			w := &benchWriter{header: http.Header{}}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				r, body := reqs[i%keys], bodies[i%keys]
				_, _ = body.Seek(0, io.SeekStart)
				r.Body = closers[i%keys]
				clear(w.header)
				w.code = 0
				h.ServeHTTP(w, r)
				if w.code != http.StatusOK && w.code != http.StatusCreated {
					b.Fatalf("%s: %d", tc.name, w.code)
				}
			}
		})
	}
}

// benchWriter stands in for net/http's response: it keeps the header map and
// status, drops the body, and accepts deadlines as the connection would.
type benchWriter struct {
	header http.Header
	code   int
}

func (w *benchWriter) Header() http.Header { return w.header }

func (w *benchWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *benchWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(p), nil
}

func (w *benchWriter) SetReadDeadline(time.Time) error  { return nil }
func (w *benchWriter) SetWriteDeadline(time.Time) error { return nil }
