package v2http

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

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

// BenchmarkKeysQuorumGet measures a quorum read of one key over a member
// whose read index is instant: the timeout context, then the local read.
func BenchmarkKeysQuorumGet(b *testing.B) {
	fs := newFakeServer()
	h, err := New(Config{Server: fs})
	if err != nil {
		b.Fatal(err)
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("PUT", "/v2/keys/bench/k?value=v", nil))
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/v2/keys/bench/k?quorum=true", nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("GET: %d %s", rec.Code, rec.Body)
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
