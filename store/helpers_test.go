package store

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// t0 is the leader's clock in the tests: a fixed instant, so expirations in
// expected JSON are exact.
var t0 = time.Date(2026, 11, 24, 4, 0, 0, 0, time.UTC)

// parseRequest reads a request written as in the contract's examples:
// "PUT /a/b value=1 ttl=5 prevExist=false". "ttl=" (empty) means no TTL, as
// the API layer parses it (§1.2). "at=N" shifts the clock N seconds past t0.
func parseRequest(t testing.TB, line string) *Request {
	t.Helper()
	f := strings.Fields(line)
	r := &Request{Method: f[0], Namespace: Keys, Key: f[1], Time: t0}
	for _, kv := range f[2:] {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "value":
			r.Value = v
		case "dir":
			r.Dir = mustBool(t, v)
		case "ttl":
			if v != "" {
				r.TTL.Set, r.TTL.Seconds = true, mustUint(t, v)
			}
		case "refresh":
			r.TTL.Refresh = mustBool(t, v)
		case "prevExist":
			b := mustBool(t, v)
			r.PrevExist = &b
		case "prevValue":
			r.PrevValue = v
		case "prevIndex":
			r.PrevIndex = mustUint(t, v)
		case "recursive":
			r.Recursive = mustBool(t, v)
		case "sorted":
			r.Sorted = mustBool(t, v)
		case "at":
			r.Time = t0.Add(time.Duration(mustUint(t, v)) * time.Second)
		case "ns":
			r.Namespace = Namespace(mustUint(t, v))
		default:
			t.Fatalf("parseRequest %q: unknown parameter %q", line, k)
		}
	}
	return r
}

func mustBool(t testing.TB, v string) bool {
	t.Helper()
	b, err := strconv.ParseBool(v)
	if err != nil {
		t.Fatalf("bad bool %q", v)
	}
	return b
}

func mustUint(t testing.TB, v string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		t.Fatalf("bad number %q", v)
	}
	return n
}

// do applies one request line and returns the HTTP status and the JSON body
// the API layer would send, without the trailing newline.
func do(t testing.TB, s *Store, line string) (int, string) {
	t.Helper()
	e, err := s.Apply(parseRequest(t, line))
	if err != nil {
		var se *Error
		if !errors.As(err, &se) {
			t.Fatalf("%s: error %v is not a *store.Error", line, err)
		}
		return se.StatusCode(), mustJSON(t, se)
	}
	status := http.StatusOK
	if e.IsCreated() {
		status = http.StatusCreated
	}
	return status, mustJSON(t, e)
}

// mustDo applies a request that must succeed.
func mustDo(t testing.TB, s *Store, line string) {
	t.Helper()
	if status, body := do(t, s, line); status >= 300 {
		t.Fatalf("setup %q failed: %d %s", line, status, body)
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return string(b)
}
