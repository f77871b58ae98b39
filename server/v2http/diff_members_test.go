package v2http

import (
	"encoding/json"
	"testing"

	"skiff/server/membership"
)

// TestDifferentialMembers compares the membership endpoints (§3) with a real
// etcd whose one member the fake member copies (same ID, name and URLs), so
// the bodies must match byte for byte. Only requests that cannot break the
// one-member etcd are sent: adding a second member would cost it its quorum.
func TestDifferentialMembers(t *testing.T) {
	etcd := startEtcd(t)
	ts, fs := newTestAPI(t)
	var list membership.ClientList
	if err := json.Unmarshal([]byte(call(t, "GET", etcd+"/v2/members", "").body), &list); err != nil || len(list.Members) != 1 {
		t.Fatalf("etcd's member list: %v %v", list, err)
	}
	self, err := list.Members[0].Member()
	if err != nil {
		t.Fatal(err)
	}
	fs.members, fs.leader = []membership.Member{self}, self.ID
	peer := `{"peerURLs":["` + self.PeerURLs[0] + `"]}`
	jsonCT := []string{"Content-Type", "application/json"}
	steps := []struct {
		method, path, body string
		header             []string
	}{
		{"GET", "/v2/members", "", nil},
		{"GET", "/v2/members/", "", nil},
		{"GET", "/v2/members/leader", "", nil},
		{"GET", "/v2/members/nope", "", nil},
		{"HEAD", "/v2/members", "", nil},
		{"POST", "/v2/members", peer, jsonCT},
		{"POST", "/v2/members", peer, []string{"Content-Type", "text/plain; charset=utf-8"}},
		{"POST", "/v2/members", `{"peerURLs":[]}`, jsonCT},
		{"POST", "/v2/members", `{"peerURLs":`, jsonCT},
		{"PUT", "/v2/members/" + self.ID.String(), peer, jsonCT},
		{"PUT", "/v2/members/" + self.ID.String(), `{}`, jsonCT},
		{"PUT", "/v2/members/1234", peer, jsonCT},
		{"DELETE", "/v2/members/1234", "", nil},
		{"DELETE", "/v2/members/not-hex", "", nil},
		{"PUT", "/v2/members", peer, jsonCT},
		{"GET", "/v2/machines", "", nil},
		{"HEAD", "/v2/machines", "", nil},
	}
	e, s := &target{name: "etcd", url: etcd}, &target{name: "skiff", url: ts.URL}
	for i, st := range steps {
		want := e.normalise(callRaw(t, st.method, etcd+st.path, st.body, st.header))
		got := s.normalise(callRaw(t, st.method, ts.URL+st.path, st.body, st.header))
		if want != got {
			t.Errorf("step %d %s %s %s:\netcd:  %s\nskiff: %s", i, st.method, st.path, st.body, want, got)
		}
	}
}
