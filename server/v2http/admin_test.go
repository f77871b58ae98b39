package v2http

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// TestStatsEndpoints: §3 — store counters in etcd's order, self stats, and
// leader stats that a follower refuses with 403.
func TestStatsEndpoints(t *testing.T) {
	ts, fs := newTestAPI(t)
	call(t, "PUT", ts.URL+"/v2/keys/a", "value=1")
	call(t, "GET", ts.URL+"/v2/keys/nope", "")
	r := call(t, "GET", ts.URL+"/v2/stats/store", "")
	want := `{"getsSuccess":0,"getsFail":1,"setsSuccess":1,"setsFail":0,"deleteSuccess":0,"deleteFail":0,"updateSuccess":0,"updateFail":0,"createSuccess":0,"createFail":0,"compareAndSwapSuccess":0,"compareAndSwapFail":0,"compareAndDeleteSuccess":0,"compareAndDeleteFail":0,"expireCount":0,"watchers":0}`
	if r.status != 200 || r.body != want || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("stats/store: %d %q", r.status, r.body)
	}
	r = call(t, "GET", ts.URL+"/v2/stats/self", "")
	if r.status != 200 || !strings.Contains(r.body, `"state":"StateLeader"`) {
		t.Errorf("stats/self: %d %q", r.status, r.body)
	}
	r = call(t, "GET", ts.URL+"/v2/stats/leader", "")
	if r.status != 200 || r.body != `{"followers":{},"leader":"153a9f79bdc10b11"}` {
		t.Errorf("stats/leader: %d %q", r.status, r.body)
	}
	fs.isLeader = false
	r = call(t, "GET", ts.URL+"/v2/stats/leader", "")
	if r.status != 403 || r.body != `{"message":"not current leader"}` {
		t.Errorf("stats/leader on a follower: %d %q", r.status, r.body)
	}
}

// TestStatsAcceptEncodedJSON: a []byte stats document is sent as it is.
func TestStatsAcceptEncodedJSON(t *testing.T) {
	rec := httptest.NewRecorder()
	writeCompactJSON(rec, []byte(`{"leader":"1","followers":{}}`))
	if rec.Body.String() != `{"leader":"1","followers":{}}` {
		t.Errorf("encoded stats written as %q", rec.Body.String())
	}
	rec = httptest.NewRecorder()
	writeCompactJSON(rec, func() {})
	if rec.Code != 500 || rec.Body.String() != `{"message":"Internal Server Error"}` {
		t.Errorf("unmarshalable stats: %d %q", rec.Code, rec.Body.String())
	}
}

// TestVersionMachinesAndNotFound: /version reports etcd's numbers, machines
// the client URLs as text.
func TestVersionMachinesAndNotFound(t *testing.T) {
	ts, fs := newTestAPI(t)
	r := call(t, "GET", ts.URL+"/version", "")
	if r.status != 200 || r.body != `{"etcdserver":"3.4.23","etcdcluster":"3.4.0"}` {
		t.Errorf("/version: %d %q", r.status, r.body)
	}
	fs.members = append(fs.members, fs.members[0])
	fs.members[1].ClientURLs = []string{"http://127.0.0.1:1111"}
	r = call(t, "GET", ts.URL+"/v2/machines", "")
	if r.status != 200 || r.body != "http://127.0.0.1:1111, http://127.0.0.1:2379" ||
		r.header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("/v2/machines: %d %q %q", r.status, r.body, r.header.Get("Content-Type"))
	}
}

// TestHealth: 200 when a quorum read succeeds, 503 (text/plain) when there is
// no leader, the read fails, or it does not finish within HealthTimeout.
func TestHealth(t *testing.T) {
	ts, fs := newTestAPI(t, func(c *Config) { c.HealthTimeout = 50 * time.Millisecond })
	r := call(t, "GET", ts.URL+"/health", "")
	if r.status != 200 || r.body != `{"health":"true"}` {
		t.Errorf("healthy: %d %q", r.status, r.body)
	}
	unhealthy := []func(){
		func() { fs.hasLeader = false },
		func() { fs.hasLeader, fs.readErr = true, errors.New("read index failed") },
		func() { fs.readErr, fs.readDelay = nil, time.Second },
	}
	for i, make := range unhealthy {
		make()
		r = call(t, "GET", ts.URL+"/health", "")
		if r.status != 503 || r.body != "{\"health\":\"false\"}\n" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
			t.Errorf("unhealthy case %d: %d %q", i, r.status, r.body)
		}
	}
}

// TestServerErrorsMapTo300And301: errors from the member that are not store
// errors become 300 (or 301 without a leader), index 0, no raft headers.
func TestServerErrorsMapTo300And301(t *testing.T) {
	ts, fs := newTestAPI(t)
	cases := []struct {
		err  error
		want string
	}{
		{ErrNoLeader, `{"errorCode":301,"message":"During Leader Election","cause":"etcdserver: no leader","index":0}`},
		{fmt.Errorf("proposal: %w", context.DeadlineExceeded), `{"errorCode":300,"message":"Raft Internal Error","cause":"etcdserver: request timed out","index":0}`},
		{ErrTimeout, `{"errorCode":300,"message":"Raft Internal Error","cause":"etcdserver: request timed out","index":0}`},
		{errors.New("disk on fire"), `{"errorCode":300,"message":"Raft Internal Error","cause":"disk on fire","index":0}`},
	}
	for _, c := range cases {
		fs.doErr = c.err
		r := call(t, "PUT", ts.URL+"/v2/keys/k", "value=1")
		if r.status != 500 || r.body != c.want+"\n" || r.header.Get("X-Etcd-Index") != "0" || r.header.Get("X-Raft-Index") != "" {
			t.Errorf("Do error %v: %d %q %v", c.err, r.status, r.body, r.header)
		}
	}
	fs.doErr, fs.readErr = nil, ErrNoLeader
	r := call(t, "GET", ts.URL+"/v2/keys/k?quorum=true", "")
	if r.status != 500 || !strings.Contains(r.body, `"errorCode":301`) {
		t.Errorf("quorum read without a leader: %d %q", r.status, r.body)
	}
}

// TestCORS: every response carries the headers with "*" (the default);
// with a list, only a listed Origin is echoed; OPTIONS is 200 with no body.
func TestCORS(t *testing.T) {
	ts, _ := newTestAPI(t)
	for _, p := range []string{"/v2/keys/x", "/nothing", "/health"} {
		r := call(t, "GET", ts.URL+p, "")
		if r.header.Get("Access-Control-Allow-Origin") != "*" ||
			r.header.Get("Access-Control-Allow-Methods") != "POST, GET, OPTIONS, PUT, DELETE" ||
			r.header.Get("Access-Control-Allow-Headers") != "accept, content-type, authorization" {
			t.Errorf("GET %s: CORS headers %v", p, r.header)
		}
	}
	r := call(t, "OPTIONS", ts.URL+"/v2/keys/x", "")
	if r.status != 200 || r.body != "" || r.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("OPTIONS: %d %q", r.status, r.body)
	}
	ts2, _ := newTestAPI(t, func(c *Config) { c.CORS = []string{"http://good.example"} })
	r = call(t, "GET", ts2.URL+"/v2/keys", "", "Origin", "http://good.example")
	if r.header.Get("Access-Control-Allow-Origin") != "http://good.example" {
		t.Errorf("listed origin: %v", r.header)
	}
	r = call(t, "GET", ts2.URL+"/v2/keys", "", "Origin", "http://evil.example")
	if _, ok := r.header["Access-Control-Allow-Origin"]; ok {
		t.Errorf("unlisted origin got CORS headers: %v", r.header)
	}
}

// TestMetricsCountRequestsOnTheSharedRegistry: /metrics serves the registry
// the server shares, with the request counters by code and method.
func TestMetricsCountRequestsOnTheSharedRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	extra := prometheus.NewCounter(prometheus.CounterOpts{Name: "skiff_test_server_metric", Help: "registered by the server"})
	reg.MustRegister(extra)
	ts, _ := newTestAPI(t, func(c *Config) { c.Registry = reg })
	call(t, "GET", ts.URL+"/v2/keys/none", "")
	r := call(t, "GET", ts.URL+"/metrics", "")
	for _, want := range []string{`skiff_http_requests_total{code="404",method="get"} 1`, "skiff_test_server_metric 0"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, r.body)
		}
	}
	if _, err := New(Config{Server: newFakeServer(), Registry: reg}); err == nil {
		t.Errorf("a second New on one registry should fail to register its counters")
	}
}

// TestDebugVarsServesExpvar: §3, /debug/vars is expvar's JSON.
func TestDebugVarsServesExpvar(t *testing.T) {
	ts, _ := newTestAPI(t)
	r := call(t, "GET", ts.URL+"/debug/vars", "")
	if r.status != 200 || !strings.Contains(r.body, `"memstats"`) {
		t.Errorf("/debug/vars: %d", r.status)
	}
}

// TestPprofOnlyWhenEnabled: §3.
func TestPprofOnlyWhenEnabled(t *testing.T) {
	ts, _ := newTestAPI(t, func(c *Config) { c.EnablePprof = true })
	r := call(t, "GET", ts.URL+"/debug/pprof/", "")
	if r.status != 200 || !strings.Contains(r.body, "goroutine") {
		t.Errorf("pprof enabled: %d", r.status)
	}
}

// denyAll is an Authorizer that refuses everything but reads of /open.
type denyAll struct{}

func (denyAll) CanAccessKey(r *http.Request, key string, recursive, write bool) bool {
	return key == "/open" && !write
}
func (denyAll) IsRoot(*http.Request) bool { return false }

// TestAuthorizerHook: a refused keys request is 401 with error 110 and index
// 0; a refused members write is 401 {"message":...}; member reads stay open
// (§4).
func TestAuthorizerHook(t *testing.T) {
	ts, _ := newTestAPI(t, func(c *Config) { c.Authorizer = denyAll{} })
	r := call(t, "PUT", ts.URL+"/v2/keys/open", "value=1")
	want := `{"errorCode":110,"message":"The request requires user authentication","cause":"Insufficient credentials","index":0}` + "\n"
	if r.status != 401 || r.body != want || r.header.Get("X-Etcd-Cluster-Id") == "" {
		t.Errorf("refused write: %d %q", r.status, r.body)
	}
	if r = call(t, "GET", ts.URL+"/v2/keys/open", ""); r.status != 404 {
		t.Errorf("allowed read: %d %q", r.status, r.body)
	}
	r = call(t, "DELETE", ts.URL+"/v2/members/1", "")
	if r.status != 401 || r.body != `{"message":"Insufficient credentials"}` || r.header.Get("X-Etcd-Cluster-Id") != "" {
		t.Errorf("refused members write: %d %q %v", r.status, r.body, r.header)
	}
	if r = call(t, "GET", ts.URL+"/v2/members", ""); r.status != 200 {
		t.Errorf("members read: %d", r.status)
	}
}

// TestKeysShortcutRoutesAsTheMux: front sends a request to serveKeys without
// the mux only when the mux would have chosen serveKeys for it; paths with
// escapes the mux reads its own way, and CONNECT, are left to the mux.
func TestKeysShortcutRoutesAsTheMux(t *testing.T) {
	mux := http.NewServeMux()
	(&api{cfg: Config{Registry: prometheus.NewRegistry()}}).routes(mux)
	for target, shortcut := range map[string]bool{
		"/v2/keys": true, "/v2/keys/": true, "/v2/keys/a": true, "/v2/keys/a/b": true, "/v2/keys?wait=true": true,
		"/v2/keys/a%20b": true, "/v2/keys/a%25b": true, "/v2/keys/%E2%98%83": true,
		"/v2/keys%2Fa": false, "/v2/keys/a%2Fb": false, "/v2/keysx": false, "/v2/key": false, "/v2/members": false, "/": false,
	} {
		for _, method := range []string{"GET", "PUT", "CONNECT"} {
			r := httptest.NewRequest(method, target, nil)
			_, pattern := mux.Handler(r)
			toKeys := pattern == "/v2/keys" || pattern == "/v2/keys/"
			got := isKeysPath(r)
			if got && !toKeys {
				t.Errorf("%s %s: shortcut to serveKeys, but the mux picks %q", method, target, pattern)
			}
			if want := shortcut && method != "CONNECT"; got != want {
				t.Errorf("%s %s: shortcut %v, want %v", method, target, got, want)
			}
		}
	}
}

// TestSharedHeaderValuesSurviveAdd: the header values shared between
// responses (CORS for "*", the cluster ID) and those packed into one
// allocation (the event headers) behave as Header.Set's: an Add to one
// appends to that header alone and leaves the next response's unchanged.
func TestSharedHeaderValuesSurviveAdd(t *testing.T) {
	a := &api{cfg: Config{Server: newFakeServer()}}
	for range 2 {
		h := http.Header{}
		addAnyOriginHeaders(h)
		h["X-Etcd-Cluster-Id"] = a.clusterIDHeader()
		setEventHeaders(h, 7, 8, 9)
		for _, k := range []string{"Access-Control-Allow-Methods", "Access-Control-Allow-Origin",
			"Access-Control-Allow-Headers", "X-Etcd-Cluster-Id", "Content-Type", "X-Etcd-Index", "X-Raft-Index"} {
			h.Add(k, "added")
		}
		want := http.Header{
			"Access-Control-Allow-Methods": {"POST, GET, OPTIONS, PUT, DELETE", "added"},
			"Access-Control-Allow-Origin":  {"*", "added"},
			"Access-Control-Allow-Headers": {"accept, content-type, authorization", "added"},
			"X-Etcd-Cluster-Id":            {testClusterID.String(), "added"},
			"Content-Type":                 {"application/json", "added"},
			"X-Etcd-Index":                 {"7", "added"},
			"X-Raft-Index":                 {"8", "added"},
			"X-Raft-Term":                  {"9"},
		}
		if fmt.Sprint(h) != fmt.Sprint(want) {
			t.Fatalf("headers after Add:\n got %v\nwant %v", h, want)
		}
	}
}
