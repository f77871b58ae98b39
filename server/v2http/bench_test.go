package v2http

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
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
func BenchmarkKeysGet(b *testing.B) {
	fs := newFakeServer()
	h, err := New(Config{Server: fs})
	if err != nil {
		b.Fatal(err)
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("PUT", "/v2/keys/bench/k?value=v", nil))
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/v2/keys/bench/k", nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("GET: %d %s", rec.Code, rec.Body)
		}
	}
}
