package v2http

import (
	"regexp"
	"testing"
)

// TestMembersListAndLeader: §3's shapes, sorted by ID, newline-terminated.
func TestMembersListAndLeader(t *testing.T) {
	ts, fs := newTestAPI(t)
	fs.members = append(fs.members, fs.members[0])
	fs.members[0].ID, fs.members[0].Name, fs.members[0].ClientURLs = 0xff, "", nil
	r := call(t, "GET", ts.URL+"/v2/members", "")
	want := `{"members":[{"id":"ff","name":"","peerURLs":["http://127.0.0.1:2380"],"clientURLs":[]},` +
		`{"id":"153a9f79bdc10b11","name":"default","peerURLs":["http://127.0.0.1:2380"],"clientURLs":["http://127.0.0.1:2379"]}]}` + "\n"
	if r.status != 200 || r.body != want || r.header.Get("X-Etcd-Cluster-Id") != "c6211d4781154b9b" {
		t.Errorf("GET /v2/members: %d %q", r.status, r.body)
	}
	r = call(t, "GET", ts.URL+"/v2/members/leader", "")
	want = `{"id":"153a9f79bdc10b11","name":"default","peerURLs":["http://127.0.0.1:2380"],"clientURLs":["http://127.0.0.1:2379"]}` + "\n"
	if r.status != 200 || r.body != want {
		t.Errorf("GET /v2/members/leader: %d %q", r.status, r.body)
	}
	fs.hasLeader = false
	r = call(t, "GET", ts.URL+"/v2/members/leader", "")
	if r.status != 503 || r.body != `{"message":"During election"}` {
		t.Errorf("leader during election: %d %q", r.status, r.body)
	}
	r = call(t, "GET", ts.URL+"/v2/members/xyz", "")
	if r.status != 404 || r.body != `{"message":"Not found"}` {
		t.Errorf("GET /v2/members/xyz: %d %q", r.status, r.body)
	}
}

// TestMembersAddUpdateRemove walks §3's write endpoints and their errors.
func TestMembersAddUpdateRemove(t *testing.T) {
	ts, _ := newTestAPI(t)
	jsonCT := []string{"Content-Type", "application/json"}
	steps := []struct {
		method, path, body string
		header             []string
		status             int
		want               string // regexp of the whole body
	}{
		{"POST", "/v2/members", `{"peerURLs":["http://10.0.0.2:2380"]}`, nil, 415,
			`^\{"message":"Bad Content-Type application/x-www-form-urlencoded, accept application/json"\}$`},
		{"POST", "/v2/members", `{"peerURLs":["http://10.0.0.2:2380"]}`, []string{"Content-Type", "application/json; charset=utf-8"}, 201,
			`^\{"id":"[0-9a-f]+","name":"","peerURLs":\["http://10.0.0.2:2380"\],"clientURLs":\[\]\}\n$`},
		{"POST", "/v2/members", `{"peerURLs":["http://10.0.0.2:2380"]}`, jsonCT, 409, `^\{"message":"membership: peerURL exists"\}$`},
		{"POST", "/v2/members", `{"peerURLs":[]}`, jsonCT, 400, `^\{"message":"no valid URLs given"\}$`},
		{"POST", "/v2/members", `{"peerURLs":["bad"]}`, jsonCT, 400, `^\{"message":"URL \\"bad\\" has scheme .*"\}$`},
		{"POST", "/v2/members", `nonsense`, jsonCT, 400, `^\{"message":"invalid character 'o' in literal null \(expecting 'u'\)"\}$`},
		{"PUT", "/v2/members", `{"peerURLs":["http://10.0.0.3:2380"]}`, jsonCT, 405, "^Method Not Allowed\n$"},
		{"DELETE", "/v2/members", ``, nil, 405, "^Method Not Allowed\n$"},
		{"PUT", "/v2/members/153a9f79bdc10b11", `{"peerURLs":["http://10.0.0.3:2380"]}`, jsonCT, 204, `^$`},
		{"PUT", "/v2/members/abc", `{"peerURLs":["http://10.0.0.3:2380"]}`, jsonCT, 404, `^\{"message":"No such member: abc"\}$`},
		{"DELETE", "/v2/members/zz", ``, nil, 404, `^\{"message":"No such member: zz"\}$`},
		{"DELETE", "/v2/members/153a9f79bdc10b11", ``, nil, 204, `^$`},
		{"DELETE", "/v2/members/153a9f79bdc10b11", ``, nil, 410, `^\{"message":"Member permanently removed: 153a9f79bdc10b11"\}$`},
	}
	for i, s := range steps {
		var r response
		if s.header == nil {
			r = call(t, s.method, ts.URL+s.path, s.body)
		} else {
			r = call(t, s.method, ts.URL+s.path, s.body, s.header...)
		}
		if r.status != s.status || !regexp.MustCompile(s.want).MatchString(r.body) {
			t.Errorf("step %d %s %s: %d %q, want %d %s", i, s.method, s.path, r.status, r.body, s.status, s.want)
		}
		if r.header.Get("X-Etcd-Cluster-Id") == "" {
			t.Errorf("step %d: no X-Etcd-Cluster-Id", i)
		}
	}
}
