package v2auth

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// setUpAuth gives the API behind base the users and roles of the access
// table, then enables auth and narrows the guest role to reading /pub/*.
//
//	root   the root role
//	alice  app:   read /app/*, write /app/w*
//	bob    exact: read /cfg (no "*"), write /cfg
//	carol  no roles
//	dave   ghost (never created) and exact
func setUpAuth(t *testing.T, base string) {
	t.Helper()
	mustCall(t, base, "PUT", "/v2/auth/users/root", "", `{"user":"root","password":"rootpw"}`, http.StatusCreated)
	mustCall(t, base, "PUT", "/v2/auth/roles/app", "", `{"role":"app","permissions":{"kv":{"read":["/app/*"],"write":["/app/w*"]}}}`, http.StatusCreated)
	mustCall(t, base, "PUT", "/v2/auth/roles/exact", "", `{"role":"exact","permissions":{"kv":{"read":["/cfg"],"write":["/cfg"]}}}`, http.StatusCreated)
	mustCall(t, base, "PUT", "/v2/auth/users/alice", "", `{"user":"alice","password":"pa","roles":["app"]}`, http.StatusOK)
	mustCall(t, base, "PUT", "/v2/auth/users/bob", "", `{"user":"bob","password":"pb","roles":["exact"]}`, http.StatusOK)
	mustCall(t, base, "PUT", "/v2/auth/users/carol", "", `{"user":"carol","password":"pc"}`, http.StatusCreated)
	mustCall(t, base, "PUT", "/v2/auth/users/dave", "", `{"user":"dave","password":"pd","roles":["ghost","exact"]}`, http.StatusOK)
	mustCall(t, base, "PUT", "/v2/auth/enable", "", "", http.StatusOK)
	mustCall(t, base, "PUT", "/v2/auth/roles/guest", "root:rootpw",
		`{"role":"guest","revoke":{"kv":{"read":["/*"],"write":["/*"]}}}`, http.StatusOK)
	mustCall(t, base, "PUT", "/v2/auth/roles/guest", "root:rootpw",
		`{"role":"guest","grant":{"kv":{"read":["/pub/*"]}}}`, http.StatusOK)
}

// TestKeyAndAdminAccessFollowsThePermissionModel is contract §4's
// permission model as a table of requests by users and roles: allowed
// requests get whatever the keys API answers (never 401), refused ones 401
// with error 110 (keys) or "Insufficient credentials" (members, auth).
func TestKeyAndAdminAccessFollowsThePermissionModel(t *testing.T) {
	m := newFakeMember()
	srv := apiServer(t, m, testAuth(t, m))
	setUpAuth(t, srv.URL)

	const root, alice, bob, carol, dave = "root:rootpw", "alice:pa", "bob:pb", "carol:pc", "dave:pd"
	cases := []struct {
		user, method, path string
		allowed            bool
		why                string
	}{
		{root, "PUT", "/v2/keys/any/key", true, "root writes everything"},
		{root, "GET", "/v2/keys/?recursive=true", true, "root reads everything recursively"},
		{alice, "GET", "/v2/keys/app/x", true, "/app/* matches /app/x"},
		{alice, "GET", "/v2/keys/app", false, "/app/* does not match /app itself"},
		{alice, "GET", "/v2/keys/app?recursive=true", false, "nor recursively"},
		{alice, "GET", "/v2/keys/app/sub?recursive=true", true, "a * pattern grants recursive reads below it"},
		{alice, "PUT", "/v2/keys/app/x", false, "alice writes only /app/w*"},
		{alice, "PUT", "/v2/keys/app/wx", true, "/app/w* matches /app/wx"},
		{alice, "DELETE", "/v2/keys/app/wx", true, "DELETE is a write"},
		{alice, "POST", "/v2/keys/app/x", false, "POST is a write"},
		{alice, "GET", "/v2/keys/cfg", false, "alice has no /cfg"},
		{bob, "GET", "/v2/keys/cfg", true, "an exact pattern matches its key"},
		{bob, "GET", "/v2/keys/cfg?recursive=true", false, "an exact pattern never grants recursive access"},
		{bob, "PUT", "/v2/keys/cfg", true, "bob writes /cfg"},
		{bob, "GET", "/v2/keys/cfg/x", false, "an exact pattern does not cover children"},
		{carol, "GET", "/v2/keys/pub/x", false, "a user without roles gets nothing, not guest's rights"},
		{dave, "GET", "/v2/keys/cfg", true, "a missing role is skipped, the next one grants"},
		{"", "GET", "/v2/keys/pub/x", true, "no credentials: guest reads /pub/*"},
		{"", "GET", "/v2/keys/pub/d?recursive=true", true, "guest is checked by plain match even when recursive (as etcd)"},
		{"", "PUT", "/v2/keys/pub/x", false, "guest may not write"},
		{"", "GET", "/v2/keys/app/x", false, "guest reads only /pub/*"},
		{"alice:wrong", "GET", "/v2/keys/pub/x", false, "a wrong password is refused, no fallback to guest"},
		{"nobody:pw", "GET", "/v2/keys/pub/x", false, "an unknown user is refused"},
		{"Bearer xyz", "GET", "/v2/keys/pub/x", false, "a header that is not Basic is refused"},
		{alice, "POST", "/v2/members", false, "member changes need root"},
		{"", "GET", "/v2/members", true, "listing members is open"},
		{alice, "GET", "/v2/auth/users", false, "the auth API needs root"},
		{"", "GET", "/v2/auth/roles", false, "guests are not root"},
		{root, "GET", "/v2/auth/users", true, "root administers auth"},
		{"", "GET", "/v2/auth/enable", true, "GET /v2/auth/enable is open"},
		{alice, "DELETE", "/v2/auth/enable", false, "only root disables auth"},
	}
	for _, c := range cases {
		body := ""
		if c.method == "PUT" && c.path[:9] == "/v2/keys/" {
			body = "value=v"
		}
		if c.method == "POST" && c.path == "/v2/members" {
			body = `{"peerURLs":["http://127.0.0.1:9"]}`
		}
		r := call(t, srv.URL, c.method, c.path, c.user, body)
		if c.allowed {
			require.NotEqual(t, http.StatusUnauthorized, r.Status, "%s %s as %q should pass: %s (%s)", c.method, c.path, c.user, c.why, r.Body)
			continue
		}
		require.Equal(t, http.StatusUnauthorized, r.Status, "%s %s as %q should be refused: %s", c.method, c.path, c.user, c.why)
		want := `{"message":"Insufficient credentials"}`
		if c.path[:9] == "/v2/keys/" {
			want = `{"errorCode":110,"message":"The request requires user authentication","cause":"Insufficient credentials","index":0}`
		}
		require.JSONEq(t, want, r.Body, "%s %s as %q", c.method, c.path, c.user)
	}

	// Auth off again: everyone may do everything.
	mustCall(t, srv.URL, "DELETE", "/v2/auth/enable", root, "", http.StatusOK)
	mustCall(t, srv.URL, "PUT", "/v2/keys/app/x", "", "value=v", http.StatusCreated)
	mustCall(t, srv.URL, "GET", "/v2/auth/users", "", "", http.StatusOK)
}

// TestWrongPasswordIs401WithoutGuestFallback: with a guest role that may
// read everything, a request with a wrong password is still refused.
func TestWrongPasswordIs401WithoutGuestFallback(t *testing.T) {
	m := newFakeMember()
	srv := apiServer(t, m, testAuth(t, m))
	mustCall(t, srv.URL, "PUT", "/v2/auth/users/root", "", `{"user":"root","password":"rootpw"}`, http.StatusCreated)
	mustCall(t, srv.URL, "PUT", "/v2/auth/enable", "", "", http.StatusOK)
	mustCall(t, srv.URL, "PUT", "/v2/keys/k", "", "value=v", http.StatusCreated) // guest may write: /* was granted
	mustCall(t, srv.URL, "GET", "/v2/keys/k", "", "", http.StatusOK)
	mustCall(t, srv.URL, "GET", "/v2/keys/k", "root:rootpw", "", http.StatusOK)
	mustCall(t, srv.URL, "GET", "/v2/keys/k", "root:wrong", "", http.StatusUnauthorized)
	mustCall(t, srv.URL, "PUT", "/v2/auth/enable", "root:wrong", "", http.StatusUnauthorized)
}

// TestMatching pins the pattern rules of §4 on their own.
func TestMatching(t *testing.T) {
	cases := []struct {
		pattern, key      string
		simple, recursive bool
	}{
		{"/app/*", "/app/x", true, true},
		{"/app/*", "/app/x/y", true, true},
		{"/app/*", "/app", false, false},
		{"/app*", "/app", true, true},
		{"/app*", "/apple", true, true},
		{"/app", "/app", true, false},
		{"/app", "/app/x", false, false},
		{"/*", "/", true, true},
		{"*", "/anything", true, true},
		{"", "", false, false},
		{"", "/x", false, false},
	}
	for _, c := range cases {
		require.Equal(t, c.simple, simpleMatch(c.pattern, c.key), "simpleMatch(%q, %q)", c.pattern, c.key)
		require.Equal(t, c.recursive, prefixMatch(c.pattern, c.key), "prefixMatch(%q, %q)", c.pattern, c.key)
	}
}
