package client

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// benchServer answers every request with the same v2 body, so the
// benchmarks measure the client: building the request, the round trip over
// loopback, and decoding.
func benchServer(b *testing.B) *httptest.Server {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("X-Etcd-Index", "42")
		h.Set("X-Raft-Index", "97")
		h.Set("X-Raft-Term", "3")
		io.WriteString(w, setReply)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func BenchmarkGet(b *testing.B) {
	srv := benchServer(b)
	c, _ := New(Config{Endpoints: []string{srv.URL}})
	defer c.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Get(ctx, "/bench/key", nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSetParallel(b *testing.B) {
	srv := benchServer(b)
	c, _ := New(Config{Endpoints: []string{srv.URL}, HeaderTimeout: 0})
	defer c.Close()
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Set(ctx, "/bench/key", "value", &SetOptions{PrevExist: PrevIgnore}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkBuildAndDecode is the client's own work without the network.
func BenchmarkBuildAndDecode(b *testing.B) {
	ep, _ := parseEndpoints([]string{"http://127.0.0.1:2379"})
	cfg := &Config{}
	resp := &http.Response{StatusCode: 200, Header: http.Header{"X-Etcd-Index": {"42"}}}
	body := []byte(setReply)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		r := formRequest(http.MethodPut, keysPath("/bench/key"), nil, map[string][]string{"value": {"v"}})
		if _, err := r.httpRequest(ctx, ep[0], cfg); err != nil {
			b.Fatal(err)
		}
		if _, err := decodeKeysResponse(r, resp, ep[0], body); err != nil {
			b.Fatal(err)
		}
	}
}
