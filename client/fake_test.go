package client

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
)

// seen is one request as a fake server received it.
type seen struct {
	Method      string
	Path        string // escaped path, as on the wire
	Query       string // raw query
	Body        string
	ContentType string
	User, Pass  string
	HasAuth     bool
}

// fakeServer is an httptest server that records every request and answers
// with reply. It speaks whatever the test scripts: it is the contract's
// wire format, not a store.
type fakeServer struct {
	*httptest.Server
	mu    sync.Mutex
	reqs  []seen
	reply http.HandlerFunc
}

// newFake starts a recording server; it is closed when the test ends.
func newFake(t *testing.T, reply http.HandlerFunc) *fakeServer {
	t.Helper()
	f := &fakeServer{reply: reply}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	user, pass, ok := r.BasicAuth()
	f.mu.Lock()
	f.reqs = append(f.reqs, seen{
		Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Body: string(body),
		ContentType: r.Header.Get("Content-Type"), User: user, Pass: pass, HasAuth: ok,
	})
	reply := f.reply
	f.mu.Unlock()
	reply(w, r)
}

// setReply changes how the server answers from now on.
func (f *fakeServer) setReply(reply http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reply = reply
}

// requests returns what the server has received so far.
func (f *fakeServer) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

// last returns the latest request, failing the test if there is none.
func (f *fakeServer) last(t *testing.T) seen {
	t.Helper()
	reqs := f.requests()
	if len(reqs) == 0 {
		t.Fatal("the fake server received no request")
	}
	return reqs[len(reqs)-1]
}

// answer replies with status, the v2 headers and body.
func answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("X-Etcd-Cluster-Id", "cdf818194e3a8c32")
		h.Set("X-Etcd-Index", "42")
		if status < 300 {
			h.Set("X-Raft-Index", "97")
			h.Set("X-Raft-Term", "3")
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// newTestClient returns a client of the given endpoints, closed at the end.
func newTestClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// parseQuery parses a raw query.
func parseQuery(raw string) (url.Values, error) { return url.ParseQuery(raw) }
