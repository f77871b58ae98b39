package v2auth

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"skiff/internal/etcdtest"
)

// step is one request of the differential script. statusOnly compares only
// the status (a keys reply that carries store indexes, which differ).
type step struct {
	method, path, user, body string
	statusOnly               bool
}

// authScript walks contract §4 from a fresh server: every endpoint, every
// error the contract lists, auth on and off, and keys under auth. Each
// step's reply is compared between real etcd and skiff.
var authScript = []step{
	{"GET", "/v2/auth/enable", "", "", false},
	{"GET", "/v2/auth/users", "", "", false},
	{"GET", "/v2/auth/roles", "", "", false},
	{"PUT", "/v2/auth/enable", "", "", false},
	{"DELETE", "/v2/auth/enable", "", "", false},
	{"POST", "/v2/auth/enable", "", "", false},
	{"GET", "/v2/auth/users/alice", "", "", false},
	{"GET", "/v2/auth/roles/guest", "", "", false},
	{"GET", "/v2/auth/roles/root", "", "", false},
	{"PUT", "/v2/auth/users/alice", "", `{"user":"alice","password":""}`, false},
	{"PUT", "/v2/auth/users/alice", "", `{"user":"alice","password":"pw"}`, false},
	{"PUT", "/v2/auth/users/alice", "", `{"user":"alice","password":"pw2"}`, false},
	{"PUT", "/v2/auth/users/alice", "", `{"user":"alice"}`, false},
	{"PUT", "/v2/auth/users/alice", "", `{"user":"bob","password":"pw"}`, false},
	{"PUT", "/v2/auth/users/alice", "", `garbage`, false},
	{"PUT", "/v2/auth/users/alice", "", `{"user":"alice","roles":["x"],"grant":["y"]}`, false},
	{"PUT", "/v2/auth/users/alice", "", `{"user":"alice","grant":["app"]}`, false},
	{"PUT", "/v2/auth/users/alice", "", `{"user":"alice","grant":["app"]}`, false},
	{"PUT", "/v2/auth/users/alice", "", `{"user":"alice","revoke":["root"]}`, false},
	{"GET", "/v2/auth/users/alice", "", "", false},
	{"PATCH", "/v2/auth/users/alice", "", "", false},
	{"PUT", "/v2/auth/roles/app", "", `{"role":"app","permissions":{"kv":{"read":["/app/*"],"write":["/app/w*"]}}}`, false},
	{"PUT", "/v2/auth/roles/app", "", `{"role":"app","permissions":{"kv":{"read":["/app/*"],"write":["/app/w*"]}}}`, false},
	{"GET", "/v2/auth/users/alice", "", "", false},
	{"GET", "/v2/auth/users", "", "", false},
	{"GET", "/v2/auth/roles", "", "", false},
	{"PUT", "/v2/auth/roles/app", "", `{"role":"app","grant":{"kv":{"read":["/app/*"]}}}`, false},
	{"PUT", "/v2/auth/roles/app", "", `{"role":"app","grant":{"kv":{"read":["/data/*"]}}}`, false},
	{"PUT", "/v2/auth/roles/app", "", `{"role":"app","revoke":{"kv":{"read":["/nope"]}}}`, false},
	{"PUT", "/v2/auth/roles/app", "", `{"role":"app","revoke":{"kv":{"write":["/app/w*"]}}}`, false},
	{"PUT", "/v2/auth/roles/app", "", `{"role":"app","permissions":{"kv":{"read":["/x"]}},"revoke":{"kv":{"write":["/a"]}}}`, false},
	{"PUT", "/v2/auth/roles/nope", "", `{"role":"nope","grant":{"kv":{"read":["/x"]}}}`, false},
	{"PUT", "/v2/auth/roles/root", "", `{"role":"root","permissions":{"kv":{"read":["/x"]}}}`, false},
	{"DELETE", "/v2/auth/roles/root", "", "", false},
	{"DELETE", "/v2/auth/roles/nope", "", "", false},
	{"PUT", "/v2/auth/roles/y", "", `{"role":"x"}`, false},
	{"PUT", "/v2/auth/roles/r2", "", `{"role":"r2"}`, false},
	{"GET", "/v2/auth/roles/r2", "", "", false},
	{"PUT", "/v2/auth/roles/r2", "", `{"role":"r2","grant":{"kv":{"read":[]}}}`, false},
	{"PUT", "/v2/auth/roles/r2", "", `{"role":"r2","revoke":{"kv":{"read":["/q"]}}}`, false},
	{"DELETE", "/v2/auth/roles/r2", "", "", false},
	{"GET", "/v2/auth/roles/a/b", "", "", false},
	{"GET", "/v2/auth/users/a/b", "", "", false},
	{"GET", "/v2/auth/foo", "", "", false},
	{"PUT", "/v2/auth/users/root", "", `{"user":"root","password":"rootpw"}`, false},
	{"GET", "/v2/auth/users/root", "", "", false},
	{"PUT", "/v2/auth/enable", "", "", false},
	{"PUT", "/v2/auth/enable", "", "", false},
	{"PUT", "/v2/auth/enable", "root:rootpw", "", false},
	{"GET", "/v2/auth/enable", "", "", false},
	{"GET", "/v2/auth/roles/guest", "", "", false},
	{"GET", "/v2/auth/users", "root:bad", "", false},
	{"GET", "/v2/auth/roles/guest", "root:rootpw", "", false},
	{"DELETE", "/v2/auth/users/root", "root:rootpw", "", false},
	{"DELETE", "/v2/auth/users/nobody", "root:rootpw", "", false},
	{"GET", "/v2/auth/users", "alice:pw2", "", false},
	{"PUT", "/v2/keys/foo", "", "value=1", true},
	{"GET", "/v2/keys/foo", "alice:bad", "", false},
	{"GET", "/v2/keys/foo", "alice:pw2", "", false},
	{"GET", "/v2/keys/app/x", "alice:pw2", "", true},
	{"GET", "/v2/keys/app/", "alice:pw2", "", true},
	{"GET", "/v2/keys/app", "alice:pw2", "", true},
	{"GET", "/v2/keys", "", "", true},
	{"GET", "/v2/keys/", "", "", true},
	{"GET", "/v2/keys/app/?recursive=true", "alice:pw2", "", true},
	{"PUT", "/v2/keys/app/x", "alice:pw2", "value=1", false},
	{"GET", "/v2/keys/foo", "Bearer xyz", "", false},
	{"PUT", "/v2/auth/roles/guest", "root:rootpw", `{"role":"guest","revoke":{"kv":{"read":["/*"],"write":["/*"]}}}`, false},
	{"GET", "/v2/keys/foo", "", "", false},
	{"GET", "/v2/keys/foo", "root:rootpw", "", true},
	{"PUT", "/v2/auth/users/root", "root:rootpw", `{"user":"root","password":"rootpw"}`, false},
	{"PUT", "/v2/auth/users/root", "root:rootpw", `{"user":"root","revoke":["root"]}`, false},
	{"PUT", "/v2/auth/users/carol", "root:rootpw", `{"user":"carol","password":"c","roles":["app"]}`, false},
	{"GET", "/v2/auth/users/carol", "root:rootpw", "", false},
	{"PUT", "/v2/auth/users/dave", "root:rootpw", `{"user":"dave","password":"d","roles":[]}`, false},
	{"PUT", "/v2/auth/users/carol", "root:rootpw", `{"user":"carol","password":"c2","roles":["app"]}`, false},
	{"PUT", "/v2/auth/users/x", "root:rootpw", `{"user":"x","password":"p","grant":[]}`, false},
	{"PUT", "/v2/auth/users/x", "root:rootpw", `{"user":"x","grant":["r1,root"]}`, false},
	{"GET", "/v2/auth/users/x", "root:rootpw", "", false},
	{"GET", "/v2/auth/users", "root:rootpw", "", false},
	{"DELETE", "/v2/auth/users/x", "root:rootpw", "", false},
	{"GET", "/v2/auth/users/", "root:rootpw", "", false},
	{"GET", "/v2/auth/roles/", "root:rootpw", "", false},
	{"HEAD", "/v2/auth/users", "root:rootpw", "", false},
	{"DELETE", "/v2/auth/roles", "root:rootpw", "", false},
	{"PUT", "/v2/auth/enable/", "root:rootpw", "", false},
	{"GET", "/v2/auth/users", "alice:", "", false},
	{"PUT", "/v2/auth/users/a%20b", "root:rootpw", `{"user":"a b","password":"p"}`, false},
	{"GET", "/v2/auth/users/a%20b", "root:rootpw", "", false},
	{"PUT", "/v2/auth/users/%C3%A9", "root:rootpw", `{"user":"é","password":"p","roles":["app"]}`, false},
	{"PUT", "/v2/auth/roles/w", "root:rootpw", `{"role":"w","permissions":{"kv":{"read":[],"write":["/app/w*"]}}}`, false},
	{"PUT", "/v2/auth/users/wu", "root:rootpw", `{"user":"wu","password":"p","roles":["w"]}`, false},
	{"PUT", "/v2/keys/app/wdir/k", "wu:p", "value=1", true},
	{"DELETE", "/v2/keys/app/wdir?recursive=true", "wu:p", "", true},
	{"DELETE", "/v2/keys/app?recursive=true", "wu:p", "", false},
	{"GET", "/v2/keys/app/wdir", "wu:p", "", false},
	{"DELETE", "/v2/auth/enable", "alice:pw2", "", false},
	{"DELETE", "/v2/auth/enable", "root:rootpw", "", false},
	{"DELETE", "/v2/auth/enable", "", "", false},
	{"DELETE", "/v2/auth/users/root", "", "", false},
	{"GET", "/v2/auth/users/root", "", "", false},
}

// TestAuthAPIMatchesRealEtcd runs authScript against a real etcd 3.4 (when
// the binary is on PATH) and against skiff's API, and requires the same
// status, body, Content-Type, Allow and presence of X-Etcd-Cluster-Id.
func TestAuthAPIMatchesRealEtcd(t *testing.T) {
	etcdtest.Require(t)
	etcd := etcdtest.Start(t).ClientURL
	m := newFakeMember()
	skiff := apiServer(t, m, testAuth(t, m)).URL
	for i, s := range authScript {
		want := send(t, etcd, s)
		got := send(t, skiff, s)
		if s.statusOnly {
			want.body, got.body = "", ""
		}
		require.Equal(t, want, got, "step %d: %s %s as %q %s", i, s.method, s.path, s.user, s.body)
	}
}

// observed is what the differential test compares of a reply.
type observed struct {
	status            int
	body, contentType string
	allow             string
	hasClusterID      bool
}

func send(t *testing.T, base string, s step) observed {
	t.Helper()
	req, err := http.NewRequest(s.method, base+s.path, strings.NewReader(s.body))
	require.NoError(t, err)
	if name, pw, ok := strings.Cut(s.user, ":"); ok {
		req.SetBasicAuth(name, pw)
	} else if s.user != "" {
		req.Header.Set("Authorization", s.user)
	}
	if strings.HasPrefix(s.path, "/v2/keys") {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return observed{
		status: resp.StatusCode, body: string(b),
		contentType:  resp.Header.Get("Content-Type"),
		allow:        resp.Header.Get("Allow"),
		hasClusterID: resp.Header.Get("X-Etcd-Cluster-Id") != "",
	}
}
