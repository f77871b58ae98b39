package client

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// TestCurlTraceMatchesEtcdctlDebug: the OnRequest hook renders each request
// as the "cURL Command:" line of etcdctl --debug (lines captured from
// etcdctl 3.4.23; the endpoint is replaced by the fake's).
func TestCurlTraceMatchesEtcdctlDebug(t *testing.T) {
	f := newFake(t, answer(http.StatusOK, setReply))
	var mu sync.Mutex
	var lines []string
	c := newTestClient(t, Config{Endpoints: []string{f.URL}, OnRequest: func(tr RequestTrace) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, tr.Curl())
	}})
	ctx := context.Background()
	c.Set(ctx, "/a", "1", nil)
	c.Set(ctx, "/s", "a&b=c", nil)
	c.Get(ctx, "/a", nil)
	c.CreateInOrder(ctx, "/q", "v", 0)
	c.SetDir(ctx, "/sd", 0)
	c.Delete(ctx, "/dd", &DeleteOptions{Dir: true, Recursive: true})
	c.Members(ctx)
	c.AddMember(ctx, []string{"http://127.0.0.1:43380"})
	c.AddUser(ctx, "root", "pw")
	c.EnableAuth(ctx)

	want := []string{
		`curl -X PUT EP/v2/keys/a -d "value=1"`,
		`curl -X PUT EP/v2/keys/s -d "value=a%26b%3Dc"`,
		`curl -X GET EP/v2/keys/a?quorum=false&recursive=false&sorted=false`,
		`curl -X POST EP/v2/keys/q -d "value=v"`,
		`curl -X PUT EP/v2/keys/sd?dir=true -d ""`,
		`curl -X DELETE EP/v2/keys/dd?dir=true&recursive=true`,
		`curl -X GET EP/v2/members`,
		`curl -X POST EP/v2/members -d "{\"peerURLs\":[\"http://127.0.0.1:43380\"]}"`,
		`curl -X PUT EP/v2/auth/users/root -d "{\"user\":\"root\",\"password\":\"pw\",\"roles\":null}"`,
		`curl -X PUT EP/v2/auth/enable`,
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lines) != len(want) {
		t.Fatalf("traced %d requests, want %d:\n%s", len(lines), len(want), strings.Join(lines, "\n"))
	}
	for i := range want {
		if w := strings.ReplaceAll(want[i], "EP", f.URL); lines[i] != w {
			t.Errorf("line %d\n got %s\nwant %s", i, lines[i], w)
		}
	}
}

// TestBasicAuthIsSentOnEveryRequest: Username/Password go out as HTTP Basic
// credentials (contract §4); without a Username no header is sent.
func TestBasicAuthIsSentOnEveryRequest(t *testing.T) {
	f := newFake(t, answer(http.StatusOK, setReply))
	c := newTestClient(t, Config{Endpoints: []string{f.URL}, Username: "root", Password: "p:w"})
	c.Get(context.Background(), "/a", nil)
	c.Members(context.Background())
	for _, r := range f.requests() {
		if !r.HasAuth || r.User != "root" || r.Pass != "p:w" {
			t.Errorf("%s %s: auth %v %q %q", r.Method, r.Path, r.HasAuth, r.User, r.Pass)
		}
	}
	anon := newTestClient(t, Config{Endpoints: []string{f.URL}})
	anon.Get(context.Background(), "/a", nil)
	if f.last(t).HasAuth {
		t.Error("a client without a Username sent credentials")
	}
}
