package v2http

import (
	"net/http"
	"strings"
	"testing"
)

// step is one request of a scripted exchange and what must come back.
type step struct {
	method, path, body string
	status             int
	want               string // the exact body, without the trailing "\n"
	etcdIndex          string // X-Etcd-Index, when checked
}

func runSteps(t *testing.T, base string, steps []step) {
	t.Helper()
	for i, s := range steps {
		r := call(t, s.method, base+s.path, s.body)
		if r.status != s.status {
			t.Fatalf("step %d %s %s: status %d, want %d (body %s)", i, s.method, s.path, r.status, s.status, r.body)
		}
		if s.method != http.MethodHead && !strings.HasSuffix(r.body, "\n") {
			t.Errorf("step %d %s %s: body %q does not end in a newline (§1.4)", i, s.method, s.path, r.body)
		}
		if got := strings.TrimSuffix(r.body, "\n"); s.want != "" && got != s.want {
			t.Errorf("step %d %s %s:\n got %s\nwant %s", i, s.method, s.path, got, s.want)
		}
		if s.etcdIndex != "" && r.header.Get("X-Etcd-Index") != s.etcdIndex {
			t.Errorf("step %d %s %s: X-Etcd-Index %q, want %q", i, s.method, s.path, r.header.Get("X-Etcd-Index"), s.etcdIndex)
		}
	}
}

// TestKeysSetGetDeleteAsTheContractShowsThem replays the samples of §1.4:
// status 201 for a new node and 200 otherwise, prevNode on a replace, the
// delete's node without a value.
func TestKeysSetGetDeleteAsTheContractShowsThem(t *testing.T) {
	ts, _ := newTestAPI(t)
	runSteps(t, ts.URL, []step{
		{"PUT", "/v2/keys/demo/a", "value=1", 201,
			`{"action":"set","node":{"key":"/demo/a","value":"1","modifiedIndex":1,"createdIndex":1}}`, "1"},
		{"PUT", "/v2/keys/demo/a", "value=2", 200,
			`{"action":"set","node":{"key":"/demo/a","value":"2","modifiedIndex":2,"createdIndex":2},"prevNode":{"key":"/demo/a","value":"1","modifiedIndex":1,"createdIndex":1}}`, "2"},
		{"GET", "/v2/keys/demo/a", "", 200,
			`{"action":"get","node":{"key":"/demo/a","value":"2","modifiedIndex":2,"createdIndex":2}}`, "2"},
		{"PUT", "/v2/keys/demo/a?prevValue=2", "value=3", 200,
			`{"action":"compareAndSwap","node":{"key":"/demo/a","value":"3","modifiedIndex":3,"createdIndex":2},"prevNode":{"key":"/demo/a","value":"2","modifiedIndex":2,"createdIndex":2}}`, "3"},
		{"PUT", "/v2/keys/demo/a?prevValue=9", "value=4", 412,
			`{"errorCode":101,"message":"Compare failed","cause":"[9 != 3]","index":3}`, "3"},
		{"DELETE", "/v2/keys/demo/a?prevIndex=3", "", 200,
			`{"action":"compareAndDelete","node":{"key":"/demo/a","modifiedIndex":4,"createdIndex":2},"prevNode":{"key":"/demo/a","value":"3","modifiedIndex":3,"createdIndex":2}}`, "4"},
		{"GET", "/v2/keys/demo/a", "", 404,
			`{"errorCode":100,"message":"Key not found","cause":"/demo/a","index":4}`, "4"},
		{"POST", "/v2/keys/demo/q", "value=a", 201,
			`{"action":"create","node":{"key":"/demo/q/00000000000000000005","value":"a","modifiedIndex":5,"createdIndex":5}}`, "5"},
		{"PUT", "/v2/keys/demo/d?dir=true", "", 201,
			`{"action":"set","node":{"key":"/demo/d","dir":true,"modifiedIndex":6,"createdIndex":6}}`, "6"},
		{"PUT", "/v2/keys/demo/k?prevExist=false", "value=x", 201,
			`{"action":"create","node":{"key":"/demo/k","value":"x","modifiedIndex":7,"createdIndex":7}}`, "7"},
		{"PUT", "/v2/keys/demo/k?prevExist=true", "value=y", 200,
			`{"action":"update","node":{"key":"/demo/k","value":"y","modifiedIndex":8,"createdIndex":7},"prevNode":{"key":"/demo/k","value":"x","modifiedIndex":7,"createdIndex":7}}`, "8"},
		{"GET", "/v2/keys/demo?recursive=true&sorted=true", "", 200,
			`{"action":"get","node":{"key":"/demo","dir":true,"nodes":[{"key":"/demo/d","dir":true,"modifiedIndex":6,"createdIndex":6},{"key":"/demo/k","value":"y","modifiedIndex":8,"createdIndex":7},{"key":"/demo/q","dir":true,"nodes":[{"key":"/demo/q/00000000000000000005","value":"a","modifiedIndex":5,"createdIndex":5}],"modifiedIndex":5,"createdIndex":5}],"modifiedIndex":1,"createdIndex":1}}`, "8"},
		{"DELETE", "/v2/keys/demo", "", 403,
			`{"errorCode":102,"message":"Not a file","cause":"/demo","index":8}`, "8"},
		{"DELETE", "/v2/keys/demo?recursive=true", "", 200,
			`{"action":"delete","node":{"key":"/demo","dir":true,"modifiedIndex":9,"createdIndex":1},"prevNode":{"key":"/demo","dir":true,"modifiedIndex":1,"createdIndex":1}}`, "9"},
		{"GET", "/v2/keys", "", 200, `{"action":"get","node":{"dir":true}}`, "9"},
		{"GET", "/v2/keys/", "", 200, `{"action":"get","node":{"dir":true}}`, "9"},
		{"PUT", "/v2/keys/", "value=x", 400,
			`{"errorCode":107,"message":"Root is read only","cause":"/","index":9}`, "9"},
	})
}

// TestKeysHeadersOnSuccessAndError checks §1.5: the cluster ID on every keys
// response, X-Raft-Index/Term only on success, JSON content type.
func TestKeysHeadersOnSuccessAndError(t *testing.T) {
	ts, fs := newTestAPI(t)
	r := call(t, "PUT", ts.URL+"/v2/keys/h", "value=1")
	if got := r.header.Get("X-Etcd-Cluster-Id"); got != "c6211d4781154b9b" {
		t.Errorf("X-Etcd-Cluster-Id = %q", got)
	}
	idx, term := fs.RaftIndexTerm()
	if r.header.Get("X-Raft-Index") != itoa(idx) || r.header.Get("X-Raft-Term") != itoa(term) {
		t.Errorf("raft headers %q/%q, want %d/%d", r.header.Get("X-Raft-Index"), r.header.Get("X-Raft-Term"), idx, term)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	e := call(t, "GET", ts.URL+"/v2/keys/missing", "")
	if e.status != 404 || e.header.Get("X-Etcd-Cluster-Id") == "" || e.header.Get("X-Etcd-Index") != "1" {
		t.Errorf("error response: %d %v", e.status, e.header)
	}
	if _, ok := e.header["X-Raft-Index"]; ok {
		t.Errorf("an error carries X-Raft-Index (§10.4)")
	}
	if _, ok := e.header["X-Raft-Term"]; ok {
		t.Errorf("an error carries X-Raft-Term (§10.4)")
	}
}

// TestKeysBodyWinsAndFirstValueCounts: for PUT the form body is read before
// the query, and of repeated values only the first counts (§1.2).
func TestKeysBodyWinsAndFirstValueCounts(t *testing.T) {
	ts, _ := newTestAPI(t)
	runSteps(t, ts.URL, []step{
		{"PUT", "/v2/keys/k?value=q", "value=b&value=c", 201,
			`{"action":"set","node":{"key":"/k","value":"b","modifiedIndex":1,"createdIndex":1}}`, ""},
		{"PUT", "/v2/keys/k?value=q&value=r", "", 200, "", ""},
		{"GET", "/v2/keys/k", "", 200,
			`{"action":"get","node":{"key":"/k","value":"q","modifiedIndex":2,"createdIndex":2}}`, ""},
		// a PUT without value sets "" (§1.2 value).
		{"PUT", "/v2/keys/e", "", 201,
			`{"action":"set","node":{"key":"/e","value":"","modifiedIndex":3,"createdIndex":3}}`, ""},
		// dir=true ignores the value.
		{"PUT", "/v2/keys/dv?dir=true&value=zz", "", 201,
			`{"action":"set","node":{"key":"/dv","dir":true,"modifiedIndex":4,"createdIndex":4}}`, ""},
		// prevIndex=0 is not set: a plain set (§10.6).
		{"PUT", "/v2/keys/k?prevIndex=0", "value=z", 200, "", "5"},
	})
}

// TestKeysPathRules: trailing slash ignored, escapes decoded, unclean paths
// redirected with 301 as Go's ServeMux does (§1.1).
func TestKeysPathRules(t *testing.T) {
	ts, _ := newTestAPI(t)
	runSteps(t, ts.URL, []step{
		{"PUT", "/v2/keys/k/", "value=1", 201,
			`{"action":"set","node":{"key":"/k","value":"1","modifiedIndex":1,"createdIndex":1}}`, ""},
		{"PUT", "/v2/keys/sp%20ace", "value=2", 201,
			`{"action":"set","node":{"key":"/sp ace","value":"2","modifiedIndex":2,"createdIndex":2}}`, ""},
	})
	r := call(t, "GET", ts.URL+"/v2/keys/a//b", "")
	if r.status != http.StatusMovedPermanently || r.header.Get("Location") != "/v2/keys/a/b" {
		t.Errorf("GET /v2/keys/a//b: %d Location %q, want 301 /v2/keys/a/b", r.status, r.header.Get("Location"))
	}
	r = call(t, "PUT", ts.URL+"/v2/keys/a/../b", "value=1")
	if r.status != http.StatusMovedPermanently || r.header.Get("Location") != "/v2/keys/b" {
		t.Errorf("PUT /v2/keys/a/../b: %d Location %q, want 301 /v2/keys/b", r.status, r.header.Get("Location"))
	}
}

// TestKeysNoValueOnSuccess: set, create, update and CAS show only the action;
// delete is unchanged (§1.2).
func TestKeysNoValueOnSuccess(t *testing.T) {
	ts, _ := newTestAPI(t)
	runSteps(t, ts.URL, []step{
		{"PUT", "/v2/keys/n?noValueOnSuccess=true", "value=1", 201, `{"action":"set"}`, "1"},
		{"PUT", "/v2/keys/n?noValueOnSuccess=true&prevExist=true", "value=2", 200, `{"action":"update"}`, "2"},
		{"PUT", "/v2/keys/n?noValueOnSuccess=true&prevValue=2", "value=3", 200, `{"action":"compareAndSwap"}`, "3"},
		{"POST", "/v2/keys/q?noValueOnSuccess=true", "value=1", 201, `{"action":"create"}`, "4"},
		{"GET", "/v2/keys/n?noValueOnSuccess=true", "", 200,
			`{"action":"get","node":{"key":"/n","value":"3","modifiedIndex":3,"createdIndex":1}}`, "4"},
		{"DELETE", "/v2/keys/n?noValueOnSuccess=true", "", 200,
			`{"action":"delete","node":{"key":"/n","modifiedIndex":5,"createdIndex":1},"prevNode":{"key":"/n","value":"3","modifiedIndex":3,"createdIndex":1}}`, "5"},
	})
}

// TestKeysHeadHasHeadersAndNoBody: HEAD looks the key up like GET, sends the
// same status, headers and Content-Length, and no body (§1.1).
func TestKeysHeadHasHeadersAndNoBody(t *testing.T) {
	ts, _ := newTestAPI(t)
	call(t, "PUT", ts.URL+"/v2/keys/h", "value=1")
	get := call(t, "GET", ts.URL+"/v2/keys/h", "")
	head := call(t, "HEAD", ts.URL+"/v2/keys/h", "")
	if head.status != 200 || head.body != "" || head.header.Get("Content-Length") != itoa(uint64(len(get.body))) {
		t.Errorf("HEAD: %d body %q Content-Length %q, want 200, no body, %d", head.status, head.body, head.header.Get("Content-Length"), len(get.body))
	}
	miss := call(t, "HEAD", ts.URL+"/v2/keys/nope", "")
	if miss.status != 404 || miss.header.Get("X-Etcd-Index") != "1" || miss.body != "" || miss.header.Get("Content-Length") == "" {
		t.Errorf("HEAD missing: %d X-Etcd-Index %q body %q", miss.status, miss.header.Get("X-Etcd-Index"), miss.body)
	}
}

// TestKeysRefresh: refresh keeps the value, resets the TTL and needs a ttl
// (§1.2, §10.8).
func TestKeysRefresh(t *testing.T) {
	ts, _ := newTestAPI(t)
	call(t, "PUT", ts.URL+"/v2/keys/r", "value=keep&ttl=100")
	r := call(t, "PUT", ts.URL+"/v2/keys/r?refresh=true&ttl=500&prevExist=true", "")
	if r.status != 200 || !strings.Contains(r.body, `"value":"keep"`) || !strings.Contains(r.body, `"ttl":500`) {
		t.Errorf("refresh: %d %s", r.status, r.body)
	}
	r = call(t, "PUT", ts.URL+"/v2/keys/r", "refresh=true&ttl=")
	if r.status != 400 || !strings.Contains(r.body, `"errorCode":212`) {
		t.Errorf("refresh with empty ttl: %d %s", r.status, r.body)
	}
}

// TestKeysEmptyTTLClearsTheTTL: "ttl=" means no TTL, and clears one (§1.2).
func TestKeysEmptyTTLClearsTheTTL(t *testing.T) {
	ts, _ := newTestAPI(t)
	call(t, "PUT", ts.URL+"/v2/keys/t", "value=1&ttl=100")
	r := call(t, "PUT", ts.URL+"/v2/keys/t?prevExist=true", "value=2&ttl=")
	if r.status != 200 || strings.Contains(r.body, `"node":{"key":"/t","value":"2","expiration"`) {
		t.Errorf("ttl= : %d %s", r.status, r.body)
	}
	g := call(t, "GET", ts.URL+"/v2/keys/t", "")
	if strings.Contains(g.body, "ttl") || strings.Contains(g.body, "expiration") {
		t.Errorf("after ttl= the key still has a TTL: %s", g.body)
	}
}
