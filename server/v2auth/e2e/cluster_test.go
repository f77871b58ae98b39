package e2e_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"skiff/server"
	"skiff/server/v2auth"
	"skiff/server/v2http"
	"skiff/tests/cluster"
)

// authAPI serves the client API of a running member with v2 auth wired in,
// the way the server wires it.
func authAPI(t *testing.T, s *server.Server) string {
	t.Helper()
	a, err := v2auth.New(v2auth.Config{Member: s, BcryptCost: bcrypt.MinCost})
	require.NoError(t, err)
	h, err := v2http.New(v2http.Config{Server: s, Authorizer: a, AuthHandler: a.Handler(), Registry: prometheus.NewRegistry()})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func do(t *testing.T, method, url, user, pw, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if user != "" {
		req.SetBasicAuth(user, pw)
	}
	if strings.HasPrefix(body, "{") {
		req.Header.Set("Content-Type", "application/json")
	} else if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// TestAuthIsReplicatedThroughRaft: on three real members, users, roles and
// the enabled flag written through one member hold on every member, survive
// a restart from snapshot and WAL, and the clear password is written to no
// file of any data dir.
func TestAuthIsReplicatedThroughRaft(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-member cluster")
	}
	c := cluster.New(t, cluster.Config{Size: 3, SnapshotCount: 5})
	const password = "clear-text-secret-42"
	first := authAPI(t, c.Member(0).Server())
	status, body := do(t, "PUT", first+"/v2/auth/users/root", "", "", `{"user":"root","password":"`+password+`"}`)
	require.Equal(t, http.StatusCreated, status, body)
	status, body = do(t, "PUT", first+"/v2/auth/roles/app", "", "", `{"role":"app","permissions":{"kv":{"read":["/app/*"],"write":[]}}}`)
	require.Equal(t, http.StatusCreated, status, body)
	status, _ = do(t, "PUT", first+"/v2/auth/enable", "", "", "")
	require.Equal(t, http.StatusOK, status)
	// Enough further writes for every member to take a snapshot.
	for range 8 {
		status, _ = do(t, "PUT", first+"/v2/keys/k", "root", password, "value=v")
		require.Contains(t, []int{http.StatusOK, http.StatusCreated}, status, "write as root")
	}
	c.WaitConverged()

	for i := range 3 {
		api := authAPI(t, c.Member(i).Server())
		status, body = do(t, "GET", api+"/v2/auth/enable", "", "", "")
		require.Equal(t, "{\"enabled\":true}\n", body, "member %d", i)
		status, _ = do(t, "GET", api+"/v2/auth/roles/app", "root", password, "")
		require.Equal(t, http.StatusOK, status, "member %d knows root and app", i)
		status, _ = do(t, "GET", api+"/v2/auth/users", "root", "wrong", "")
		require.Equal(t, http.StatusUnauthorized, status, "member %d", i)
	}

	// A member restarted from its snapshot and WAL still enforces auth.
	require.NoError(t, c.Stop(2))
	c.Restart(2)
	c.WaitConverged()
	api := authAPI(t, c.Member(2).Server())
	status, _ = do(t, "GET", api+"/v2/auth/users", "", "", "")
	require.Equal(t, http.StatusUnauthorized, status)
	status, _ = do(t, "GET", api+"/v2/auth/users", "root", password, "")
	require.Equal(t, http.StatusOK, status)

	for i := range 3 {
		err := filepath.WalkDir(c.Member(i).Dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			require.False(t, bytes.Contains(b, []byte(password)), "the clear password is in %s", p)
			return nil
		})
		require.NoError(t, err)
	}
}
