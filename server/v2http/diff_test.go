package v2http

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// dstep is one request of a differential sequence. In path and body, {N} is
// replaced by the server's base index plus N, so that prevIndex and waitIndex
// name the same write on both servers. A watch step is opened first, the
// step after it is sent while it waits, and then its response is read.
type dstep struct {
	method, path, body string
	watch              bool
	// known, when set, names a difference that is known and owned elsewhere
	// (with the fix it needs); the test then logs the difference instead of
	// failing, so that it stays visible until it is fixed.
	known string
}

func rq(method, path, body string) dstep { return dstep{method: method, path: path, body: body} }
func watchThen(path string) dstep        { return dstep{method: "GET", path: path, watch: true} }

// target is one server under comparison and its base index: the store index
// when the sequence began.
type target struct {
	name string
	url  string
	base uint64
}

// TestDifferentialAgainstEtcd sends the same request sequences to skiff's
// handler (over a fake member with a real store) and to a real etcd 3.4, and
// compares status, the headers that matter and the JSON after normalising
// indexes and expiration times (§1, §10).
func TestDifferentialAgainstEtcd(t *testing.T) {
	etcd := startEtcd(t)
	ts, _ := newTestAPI(t)
	for _, name := range sortedKeys(diffSequences) {
		t.Run(name, func(t *testing.T) {
			servers := []*target{{name: "etcd", url: etcd}, {name: "skiff", url: ts.URL}}
			for _, s := range servers {
				s.base = currentIndex(t, s.url)
			}
			steps := diffSequences[name]
			for i := 0; i < len(steps); i++ {
				if steps[i].watch && i+1 < len(steps) {
					compareWatch(t, servers, steps[i], steps[i+1])
					i++
					continue
				}
				want := send(t, servers[0], steps[i])
				got := send(t, servers[1], steps[i])
				report := t.Errorf
				if steps[i].known != "" {
					report = t.Logf
				}
				if want != got {
					report("step %d %s %s %s: %s\netcd:  %s\nskiff: %s", i, steps[i].method, steps[i].path, steps[i].body,
						steps[i].known, want, got)
				}
			}
		})
	}
}

// compareWatch opens the watch on both servers, sends the write on both, and
// compares the write's and the watch's normalised responses.
func compareWatch(t *testing.T, servers []*target, w, write dstep) {
	t.Helper()
	var results [2][2]string
	for i, s := range servers {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		req, _ := http.NewRequestWithContext(ctx, w.method, s.url+s.expand(w.path), nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			cancel()
			t.Fatalf("%s: watch %s: %v", s.name, w.path, err)
		}
		results[i][1] = send(t, s, write)
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		if err != nil {
			t.Fatalf("%s: reading watch %s: %v", s.name, w.path, err)
		}
		results[i][0] = s.normalise(resp, string(b))
	}
	for j, what := range []string{"watch " + w.path, "write " + write.method + " " + write.path} {
		if results[0][j] != results[1][j] {
			t.Errorf("%s:\netcd:  %s\nskiff: %s", what, results[0][j], results[1][j])
		}
	}
}

// send performs one step on one server and returns the normalised response.
func send(t *testing.T, s *target, st dstep) string {
	t.Helper()
	return s.normalise(callRaw(t, st.method, s.url+s.expand(st.path), s.expand(st.body), nil))
}

// callRaw sends one request (a body as a urlencoded form unless header sets
// a Content-Type) and returns the response with its body read.
func callRaw(t *testing.T, method, rawURL, body string, header []string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, rawURL, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading: %v", method, rawURL, err)
	}
	return resp, string(b)
}

var placeholder = regexp.MustCompile(`\{(\d+)\}`)

func (s *target) expand(in string) string {
	return placeholder.ReplaceAllStringFunc(in, func(m string) string {
		n, _ := strconv.ParseUint(m[1:len(m)-1], 10, 64)
		return strconv.FormatUint(s.base+n, 10)
	})
}

var (
	indexField  = regexp.MustCompile(`"(modifiedIndex|createdIndex|index)":(\d+)`)
	inOrderName = regexp.MustCompile(`\b\d{20}\b`)
	expiration  = regexp.MustCompile(`"expiration":"[^"]*"`)
	indexCause  = regexp.MustCompile(`\[(\d+) != (\d+)\]`)
)

// rel turns an index into one relative to the sequence's start; 0 (a parse
// error's index) stays 0.
func (s *target) rel(raw string) string {
	n, err := strconv.ParseUint(raw, 10, 64)
	if err != nil || n == 0 {
		return raw
	}
	return "#" + strconv.FormatInt(int64(n)-int64(s.base), 10)
}

// normalise renders a response as one comparable line: status, the headers
// that matter, and the body with indexes made relative and times blanked.
func (s *target) normalise(resp *http.Response, body string) string {
	body = indexField.ReplaceAllStringFunc(body, func(m string) string {
		sub := indexField.FindStringSubmatch(m)
		return `"` + sub[1] + `":` + s.rel(sub[2])
	})
	body = inOrderName.ReplaceAllStringFunc(body, func(m string) string { return "<" + s.rel(m) + ">" })
	body = expiration.ReplaceAllString(body, `"expiration":"<time>"`)
	body = indexCause.ReplaceAllStringFunc(body, func(m string) string {
		sub := indexCause.FindStringSubmatch(m)
		return "[" + s.rel(sub[1]) + " != " + s.rel(sub[2]) + "]"
	})
	h := resp.Header
	var hs []string
	for _, name := range []string{"Content-Type", "Allow", "Location", "Access-Control-Allow-Origin"} {
		if v := h.Get(name); v != "" {
			hs = append(hs, name+"="+v)
		}
	}
	for _, name := range []string{"X-Etcd-Cluster-Id", "X-Raft-Index", "X-Raft-Term"} {
		if h.Get(name) != "" {
			hs = append(hs, name)
		}
	}
	if v := h.Get("X-Etcd-Index"); v != "" {
		hs = append(hs, "X-Etcd-Index="+s.rel(v))
	}
	if len(resp.TransferEncoding) > 0 {
		hs = append(hs, "chunked")
	}
	return fmt.Sprintf("%d [%s] %q", resp.StatusCode, strings.Join(hs, " "), body)
}

func currentIndex(t *testing.T, base string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(call(t, "GET", base+"/v2/keys", "").header.Get("X-Etcd-Index"), 10, 64)
	if err != nil {
		t.Fatalf("%s: no X-Etcd-Index on GET /v2/keys: %v", base, err)
	}
	return n
}

func sortedKeys(m map[string][]dstep) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestDifferentialStreamWatch compares a streaming, recursive watch that
// starts in the past (§1.8). etcd answers such a stream with the first
// matching event from its history and then nothing, ever: it never registers
// the watcher. skiff sends every matching event from the history and then the
// live ones (docs/api.md, "Deliberate differences"). So the first event is
// compared, and skiff alone is held to the rest.
func TestDifferentialStreamWatch(t *testing.T) {
	etcd := startEtcd(t)
	ts, _ := newTestAPI(t)
	var got [2][]string
	for i, s := range []*target{{name: "etcd", url: etcd}, {name: "skiff", url: ts.URL}} {
		s.base = currentIndex(t, s.url)
		send(t, s, rq("PUT", "/v2/keys/st/a", "value=1"))
		send(t, s, rq("PUT", "/v2/keys/other", "value=1"))
		send(t, s, rq("PUT", "/v2/keys/st/b/c", "value=2"))
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		req, _ := http.NewRequestWithContext(ctx, "GET", s.url+s.expand("/v2/keys/st?wait=true&stream=true&recursive=true&waitIndex={1}"), nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			cancel()
			t.Fatalf("%s: stream: %v", s.name, err)
		}
		lines := bufioLines(resp.Body)
		events := 3
		if s.name == "etcd" {
			events = 1
		}
		for n := 0; n < events; n++ {
			if n == 2 {
				send(t, s, rq("DELETE", "/v2/keys/st/a", ""))
			}
			line, ok := <-lines
			if !ok {
				t.Fatalf("%s: the stream ended after %d events", s.name, n)
			}
			got[i] = append(got[i], s.normalise(resp, line))
		}
		cancel()
		resp.Body.Close()
	}
	if got[0][0] != got[1][0] {
		t.Errorf("first stream event:\netcd:  %s\nskiff: %s", got[0][0], got[1][0])
	}
	for n, want := range []string{`\"key\":\"/st/b/c\"`, `\"action\":\"delete\",\"node\":{\"key\":\"/st/a\"`} {
		if !strings.Contains(got[1][n+1], want) {
			t.Errorf("skiff's stream event %d: %s, want %s", n+1, got[1][n+1], want)
		}
	}
}

// bufioLines delivers the lines of r until it ends.
func bufioLines(r io.Reader) <-chan string {
	ch := make(chan string)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			ch <- sc.Text()
		}
	}()
	return ch
}
