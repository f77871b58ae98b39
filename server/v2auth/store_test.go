package v2auth

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"skiff/server/membership"
	"skiff/store"
)

// TestEnableWithoutRootUserIs409: auth cannot be enabled before a root
// user exists, and nothing is written.
func TestEnableWithoutRootUserIs409(t *testing.T) {
	m := newFakeMember()
	srv := apiServer(t, m, testAuth(t, m))
	body := mustCall(t, srv.URL, "PUT", "/v2/auth/enable", "", "", http.StatusConflict)
	require.Equal(t, `{"message":"auth: No root user available, please create one"}`, body)
	require.Empty(t, m.requests(), "a refused enable proposes nothing")
	require.Equal(t, "{\"enabled\":false}\n", mustCall(t, srv.URL, "GET", "/v2/auth/enable", "", "", http.StatusOK))
}

// TestEveryChangeGoesThroughDoInTheAuthNamespace: users, roles and the
// flag are written only by proposals, all in store.Auth, and a password
// crosses "raft" only as its bcrypt hash. A follower that applies the same
// log, with an Auth of its own, sees every change at once: nothing is
// cached that could go stale.
func TestEveryChangeGoesThroughDoInTheAuthNamespace(t *testing.T) {
	m := newFakeMember()
	follower := store.New()
	m.followers = []*store.Store{follower}
	leader := testAuth(t, m)
	onFollower := testAuth(t, &storeOnly{follower})
	ctx := context.Background()

	_, err := leader.CreateUser(ctx, User{User: "root", Password: "s3cret-root"})
	require.NoError(t, err)
	require.NoError(t, leader.CreateRole(ctx, Role{Role: "app", Permissions: Permissions{KV: RWPermission{Read: []string{"/app/*"}}}}))
	_, err = leader.UpdateUser(ctx, User{User: "root", Grant: []string{"app"}})
	require.NoError(t, err)
	require.NoError(t, leader.EnableAuth(ctx))

	for _, r := range m.requests() {
		require.Equal(t, store.Auth, r.Namespace, "request %+v", r)
		require.NotContains(t, r.Value, "s3cret-root", "the clear password must never be proposed")
	}
	require.True(t, onFollower.Enabled())
	u, err := onFollower.GetUser("root")
	require.NoError(t, err)
	require.Equal(t, []string{"app", "root"}, u.Roles)
	require.True(t, onFollower.CheckPassword(u, "s3cret-root"))
	require.False(t, onFollower.CheckPassword(u, "guess"))
	_, err = onFollower.GetRole(GuestRole)
	require.NoError(t, err, "enabling auth created the guest role on every member")

	// A password change on the leader is seen by the follower's next check.
	_, err = leader.UpdateUser(ctx, User{User: "root", Password: "new-pw"})
	require.NoError(t, err)
	u, err = onFollower.GetUser("root")
	require.NoError(t, err)
	require.False(t, onFollower.CheckPassword(u, "s3cret-root"), "the old password stops working everywhere")
	require.True(t, onFollower.CheckPassword(u, "new-pw"))
}

// storeOnly is a member that only reads: a follower's view.
type storeOnly struct{ s *store.Store }

func (f *storeOnly) Do(context.Context, *store.Request) (*store.Event, error) {
	return nil, fmt.Errorf("storeOnly: no writes")
}
func (f *storeOnly) Store() *store.Store { return f.s }
func (f *storeOnly) ClusterID() membership.ID {
	return 0
}

// TestUsersRolesAndTheFlagSurviveASnapshot: after Save and Recovery into a
// new store (a member restarting from a snapshot), the auth API answers the
// same and the passwords still check.
func TestUsersRolesAndTheFlagSurviveASnapshot(t *testing.T) {
	m := newFakeMember()
	srv := apiServer(t, m, testAuth(t, m))
	setUpAuth(t, srv.URL)
	const root = "root:rootpw"
	before := []string{
		mustCall(t, srv.URL, "GET", "/v2/auth/users", root, "", http.StatusOK),
		mustCall(t, srv.URL, "GET", "/v2/auth/roles", root, "", http.StatusOK),
		mustCall(t, srv.URL, "GET", "/v2/auth/enable", "", "", http.StatusOK),
	}

	data, err := m.store.Save()
	require.NoError(t, err)
	restarted := newFakeMember()
	require.NoError(t, restarted.store.Recovery(data))
	srv2 := apiServer(t, restarted, testAuth(t, restarted))
	after := []string{
		mustCall(t, srv2.URL, "GET", "/v2/auth/users", root, "", http.StatusOK),
		mustCall(t, srv2.URL, "GET", "/v2/auth/roles", root, "", http.StatusOK),
		mustCall(t, srv2.URL, "GET", "/v2/auth/enable", "", "", http.StatusOK),
	}
	require.Equal(t, before, after)
	require.Contains(t, after[2], "true")
	mustCall(t, srv2.URL, "GET", "/v2/keys/app/x", "alice:pa", "", http.StatusNotFound)
	mustCall(t, srv2.URL, "GET", "/v2/keys/app/x", "alice:wrong", "", http.StatusUnauthorized)
}

// TestConcurrentGrantsAreNotLost: updates are compare-and-swaps on the
// record, retried on conflict, so concurrent grants to one user all stick.
func TestConcurrentGrantsAreNotLost(t *testing.T) {
	m := newFakeMember()
	a := testAuth(t, m)
	ctx := context.Background()
	_, err := a.CreateUser(ctx, User{User: "u", Password: "p"})
	require.NoError(t, err)
	const n = 6
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := a.UpdateUser(ctx, User{User: "u", Grant: []string{fmt.Sprintf("r%d", i)}})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	u, err := a.GetUser("u")
	require.NoError(t, err)
	require.Len(t, u.Roles, n, "roles: %v", u.Roles)
}

// TestBadNamesAndBodiesAreClearErrors: names that would reach another
// record, oversized and malformed bodies get 4xx answers, never a panic.
func TestBadNamesAndBodiesAreClearErrors(t *testing.T) {
	m := newFakeMember()
	a := testAuth(t, m)
	srv := apiServer(t, m, a)
	_, err := a.CreateUser(context.Background(), User{User: "a/b", Password: "p"})
	require.Equal(t, http.StatusBadRequest, statusOf(err))
	_, err = a.GetUser("..")
	require.Equal(t, http.StatusNotFound, statusOf(err))
	require.Equal(t, http.StatusNotFound, statusOf(a.DeleteRole(context.Background(), "")))

	huge := `{"user":"x","password":"` + strings.Repeat("p", maxBodyBytes) + `"}`
	mustCall(t, srv.URL, "PUT", "/v2/auth/users/x", "", huge, http.StatusRequestEntityTooLarge)
	mustCall(t, srv.URL, "PUT", "/v2/auth/roles/x", "", "{", http.StatusBadRequest)
	mustCall(t, srv.URL, "PUT", "/v2/auth/users/x", "", `{"user":"x","password":7}`, http.StatusBadRequest)
	mustCall(t, srv.URL, "GET", "/v2/auth/users/a%2Fb", "", "", http.StatusBadRequest)
	mustCall(t, srv.URL, "GET", "/v2/auth/nothing", "", "", http.StatusNotFound)
	require.Empty(t, m.requests())
}

// Enabled is cached, but never past a change of the flag in the store,
// however it arrives: applied from the log as another member's write, by a
// snapshot restored into the store, or with a different store altogether.
func TestEnabledFollowsTheStoreThroughItsCache(t *testing.T) {
	m := newFakeMember()
	a := testAuth(t, m)
	setFlag := func(st *store.Store, v string) {
		t.Helper()
		_, err := st.Set(store.Auth, enabledPath, false, v, store.TTL{}, time.Now())
		require.NoError(t, err)
	}
	require.False(t, a.Enabled())
	require.False(t, a.Enabled(), "answered from the cache")

	setFlag(m.store, "true") // as raft applies another member's enable
	require.True(t, a.Enabled())

	off := store.New()
	setFlag(off, "false")
	saved, err := off.Save()
	require.NoError(t, err)
	require.NoError(t, m.store.Recovery(saved))
	require.False(t, a.Enabled(), "after a snapshot with auth off was restored")

	setFlag(m.store, "true")
	require.True(t, a.Enabled())
	m.mu.Lock()
	m.store = store.New() // a member whose store object was replaced
	m.mu.Unlock()
	require.False(t, a.Enabled())
}
