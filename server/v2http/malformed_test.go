package v2http

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestMalformedRequestsGetTheContractsError sends every kind of bad request
// and checks the exact answer: parse errors fail before the store is touched,
// with index 0 and X-Etcd-Index 0 (§1.2); never a 500, a panic or a hang.
func TestMalformedRequestsGetTheContractsError(t *testing.T) {
	huge := "value=" + strings.Repeat("x", 10<<20+1)
	cases := []struct {
		name, method, path, body string
		status                   int
		want                     string // exact body, newline included
		allow                    string // the Allow header of a 405
	}{
		{"bad escape in query", "GET", "/v2/keys/k?recursive=%zz", "", 400,
			`{"errorCode":210,"message":"Invalid POST form","cause":"invalid URL escape \"%zz\"","index":0}` + "\n", ""},
		{"bad escape in body", "PUT", "/v2/keys/k", "value=%zz", 400,
			`{"errorCode":210,"message":"Invalid POST form","cause":"invalid URL escape \"%zz\"","index":0}` + "\n", ""},
		{"body over 10 MB", "PUT", "/v2/keys/k", huge, 400,
			`{"errorCode":210,"message":"Invalid POST form","cause":"http: POST too large","index":0}` + "\n", ""},
		{"bad recursive", "GET", "/v2/keys/k?recursive=maybe", "", 400,
			`{"errorCode":209,"message":"Invalid field","cause":"invalid value for \"recursive\"","index":0}` + "\n", ""},
		{"empty recursive", "GET", "/v2/keys/k?recursive=", "", 400,
			`{"errorCode":209,"message":"Invalid field","cause":"invalid value for \"recursive\"","index":0}` + "\n", ""},
		{"bad sorted", "GET", "/v2/keys/k?sorted=x", "", 400,
			`{"errorCode":209,"message":"Invalid field","cause":"invalid value for \"sorted\"","index":0}` + "\n", ""},
		{"bad wait", "GET", "/v2/keys/k?wait=x", "", 400,
			`{"errorCode":209,"message":"Invalid field","cause":"invalid value for \"wait\"","index":0}` + "\n", ""},
		{"bad dir", "PUT", "/v2/keys/k?dir=x", "", 400,
			`{"errorCode":209,"message":"Invalid field","cause":"invalid value for \"dir\"","index":0}` + "\n", ""},
		{"bad quorum", "GET", "/v2/keys/k?quorum=x", "", 400,
			`{"errorCode":209,"message":"Invalid field","cause":"invalid value for \"quorum\"","index":0}` + "\n", ""},
		{"bad stream", "GET", "/v2/keys/k?stream=x", "", 400,
			`{"errorCode":209,"message":"Invalid field","cause":"invalid value for \"stream\"","index":0}` + "\n", ""},
		{"bad noValueOnSuccess", "PUT", "/v2/keys/k?noValueOnSuccess=x", "", 400,
			`{"errorCode":209,"message":"Invalid field","cause":"invalid value for \"noValueOnSuccess\"","index":0}` + "\n", ""},
		{"bad prevExist (no quotes)", "PUT", "/v2/keys/k?prevExist=x", "", 400,
			`{"errorCode":209,"message":"Invalid field","cause":"invalid value for prevExist","index":0}` + "\n", ""},
		{"bad refresh (no quotes)", "PUT", "/v2/keys/k?refresh=x", "", 400,
			`{"errorCode":209,"message":"Invalid field","cause":"invalid value for refresh","index":0}` + "\n", ""},
		{"wait with PUT", "PUT", "/v2/keys/k?wait=true", "", 400,
			`{"errorCode":209,"message":"Invalid field","cause":"\"wait\" can only be used with GET requests","index":0}` + "\n", ""},
		{"wait with DELETE", "DELETE", "/v2/keys/k?wait=true", "", 400,
			`{"errorCode":209,"message":"Invalid field","cause":"\"wait\" can only be used with GET requests","index":0}` + "\n", ""},
		{"bad prevIndex", "PUT", "/v2/keys/k?prevIndex=x", "", 400,
			`{"errorCode":203,"message":"The given index in POST form is not a number","cause":"invalid value for \"prevIndex\"","index":0}` + "\n", ""},
		{"empty prevIndex", "PUT", "/v2/keys/k?prevIndex=", "", 400,
			`{"errorCode":203,"message":"The given index in POST form is not a number","cause":"invalid value for \"prevIndex\"","index":0}` + "\n", ""},
		{"negative prevIndex", "DELETE", "/v2/keys/k?prevIndex=-1", "", 400,
			`{"errorCode":203,"message":"The given index in POST form is not a number","cause":"invalid value for \"prevIndex\"","index":0}` + "\n", ""},
		{"bad waitIndex", "GET", "/v2/keys/k?wait=true&waitIndex=x", "", 400,
			`{"errorCode":203,"message":"The given index in POST form is not a number","cause":"invalid value for \"waitIndex\"","index":0}` + "\n", ""},
		{"bad waitIndex without wait", "GET", "/v2/keys/k?waitIndex=x", "", 400,
			`{"errorCode":203,"message":"The given index in POST form is not a number","cause":"invalid value for \"waitIndex\"","index":0}` + "\n", ""},
		{"prevIndex is checked before the booleans", "PUT", "/v2/keys/k?recursive=x&prevIndex=x", "", 400,
			`{"errorCode":203,"message":"The given index in POST form is not a number","cause":"invalid value for \"prevIndex\"","index":0}` + "\n", ""},
		{"text ttl", "PUT", "/v2/keys/k?ttl=abc", "", 400,
			`{"errorCode":202,"message":"The given TTL in POST form is not a number","cause":"invalid value for \"ttl\"","index":0}` + "\n", ""},
		{"negative ttl", "PUT", "/v2/keys/k", "ttl=-5", 400,
			`{"errorCode":202,"message":"The given TTL in POST form is not a number","cause":"invalid value for \"ttl\"","index":0}` + "\n", ""},
		{"decimal ttl", "POST", "/v2/keys/k", "ttl=1.5", 400,
			`{"errorCode":202,"message":"The given TTL in POST form is not a number","cause":"invalid value for \"ttl\"","index":0}` + "\n", ""},
		{"ttl beyond uint64", "PUT", "/v2/keys/k?ttl=18446744073709551616", "", 400,
			`{"errorCode":202,"message":"The given TTL in POST form is not a number","cause":"invalid value for \"ttl\"","index":0}` + "\n", ""},
		{"ttl whose expiration overflows", "PUT", "/v2/keys/k?ttl=100000000000000", "", 400,
			`{"errorCode":202,"message":"The given TTL in POST form is not a number","cause":"invalid value for \"ttl\"","index":0}` + "\n", ""},
		{"refresh without ttl", "PUT", "/v2/keys/k?refresh=true", "", 400,
			`{"errorCode":212,"message":"A TTL must be provided on refresh","cause":"No TTL value set","index":0}` + "\n", ""},
		{"refresh with a value", "PUT", "/v2/keys/k?refresh=true&ttl=5&value=x", "", 400,
			`{"errorCode":211,"message":"Value provided on refresh","cause":"A value was provided on a refresh","index":0}` + "\n", ""},
		{"empty prevValue", "PUT", "/v2/keys/k?prevValue=", "value=1", 400,
			`{"errorCode":201,"message":"PrevValue is Required in POST form","cause":"\"prevValue\" cannot be empty","index":0}` + "\n", ""},
		{"PATCH on keys", "PATCH", "/v2/keys/k", "", 405, "Method Not Allowed\n", "HEAD,GET,PUT,POST,DELETE"},
		{"POST on stats", "POST", "/v2/stats/store", "", 405, "Method Not Allowed\n", "GET"},
		{"PUT on version", "PUT", "/version", "", 405, "Method Not Allowed\n", "GET"},
		{"POST on machines", "POST", "/v2/machines", "", 405, "Method Not Allowed\n", "GET,HEAD"},
		{"PATCH on members", "PATCH", "/v2/members", "", 405, "Method Not Allowed\n", "GET,POST,DELETE,PUT"},
		{"old leader endpoint", "GET", "/v2/leader", "", 404, "404 page not found\n", ""},
		{"unknown v2 path", "GET", "/v2/nothing", "", 404, "404 page not found\n", ""},
		{"keys prefix without slash", "GET", "/v2/keysx", "", 404, "404 page not found\n", ""},
		{"unknown stats", "GET", "/v2/stats/other", "", 404, "404 page not found\n", ""},
		{"pprof when disabled", "GET", "/debug/pprof/", "", 404, "404 page not found\n", ""},
		{"auth when not configured", "GET", "/v2/auth/enable", "", 404, "404 page not found\n", ""},
	}
	ts, fs := newTestAPI(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := call(t, c.method, ts.URL+c.path, c.body)
			if r.status != c.status || r.body != c.want {
				t.Fatalf("%s %s:\n got %d %q\nwant %d %q", c.method, c.path, r.status, r.body, c.status, c.want)
			}
			if c.allow != "" && r.header.Get("Allow") != c.allow {
				t.Errorf("Allow = %q, want %q", r.header.Get("Allow"), c.allow)
			}
			if c.status == 400 && r.header.Get("X-Etcd-Index") != "0" {
				t.Errorf("X-Etcd-Index = %q, want 0 for a parse error", r.header.Get("X-Etcd-Index"))
			}
		})
	}
	if n := fs.st.Index(); n != 0 {
		t.Errorf("malformed requests changed the store: index %d", n)
	}
}

// TestBadEscapeInPathIsPlain400: a request line whose path has a bad escape
// never reaches the handler; Go's server answers a plain-text 400 (§1.1).
// It is sent over a raw connection because Go's client refuses to build it.
func TestBadEscapeInPathIsPlain400(t *testing.T) {
	ts, _ := newTestAPI(t)
	conn, err := net.DialTimeout("tcp", ts.Listener.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write([]byte("GET /v2/keys/a%zz HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 400 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("bad escape: %d %q, want a plain 400", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
