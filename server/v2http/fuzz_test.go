package v2http

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzKeysRequest sends arbitrary keys requests (method, key, query and form
// body) and holds the handler to the contract's promise: never a panic, never
// a 5xx from a healthy member, and every JSON answer either an event or a v2
// error with the status its code maps to (§2). The seeds run as an ordinary
// test; `go test -fuzz FuzzKeysRequest ./server/v2http` explores further.
func FuzzKeysRequest(f *testing.F) {
	seeds := []struct {
		method      uint8
		key, q, bdy string
	}{
		{1, "a", "value=1", ""},
		{1, "a/b", "dir=true&ttl=5", "value=x"},
		{0, "a", "wait=true&waitIndex=1&stream=true&recursive=true", ""},
		{0, "", "recursive=true&sorted=true&quorum=true", ""},
		{2, "q", "ttl=abc", "value=%zz"},
		{3, "a", "prevValue=&prevIndex=-1", ""},
		{1, "a", "refresh=true&ttl=", "value=v"},
		{1, "a", "prevExist=false&prevValue=x;y", "noValueOnSuccess=1"},
		{4, "a/../b", "wait=true", ""},
		{5, "_hidden", "a=%", "ttl=99999999999999999999"},
	}
	for _, s := range seeds {
		f.Add(s.method, s.key, s.q, s.bdy)
	}
	methods := []string{"GET", "PUT", "POST", "DELETE", "HEAD", "PATCH"}
	f.Fuzz(func(t *testing.T, m uint8, key, rawQuery, body string) {
		fs := newFakeServer()
		h, err := New(Config{Server: fs})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		req := (&http.Request{
			Method: methods[int(m)%len(methods)],
			URL:    &url.URL{Path: "/v2/keys/" + key, RawQuery: rawQuery},
			Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
			Body:   io.NopCloser(strings.NewReader(body)),
		}).WithContext(ctx)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkKeysAnswer(t, req, rec)
	})
}

func checkKeysAnswer(t *testing.T, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("%s %s?%s: %d %s", req.Method, req.URL.Path, req.URL.RawQuery, rec.Code, rec.Body)
	}
	if rec.Header().Get("Content-Type") != "application/json" || rec.Body.Len() == 0 {
		return // a 301, a 405, or a watch cut short by the deadline
	}
	dec := json.NewDecoder(rec.Body)
	for dec.More() {
		var v struct {
			Action    string `json:"action"`
			ErrorCode int    `json:"errorCode"`
		}
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s %s?%s: body is not JSON: %v", req.Method, req.URL.Path, req.URL.RawQuery, err)
		}
		if (v.Action == "") == (v.ErrorCode == 0) {
			t.Fatalf("%s %s?%s: neither an event nor an error: %s", req.Method, req.URL.Path, req.URL.RawQuery, rec.Body)
		}
	}
}
