package v2auth

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

// BenchmarkCanAccessKey is the cost auth adds to every keys request: a
// user with two roles, its password already checked once (the cache), at
// etcd's default bcrypt cost.
func BenchmarkCanAccessKey(b *testing.B) {
	m := newFakeMember()
	a, err := New(Config{Member: m, BcryptCost: bcrypt.DefaultCost})
	require.NoError(b, err)
	ctx := context.Background()
	_, err = a.CreateUser(ctx, User{User: "root", Password: "rootpw"})
	require.NoError(b, err)
	for _, r := range []string{"r1", "app"} {
		require.NoError(b, a.CreateRole(ctx, Role{Role: r, Permissions: Permissions{KV: RWPermission{Read: []string{"/" + r + "/*"}}}}))
	}
	_, err = a.CreateUser(ctx, User{User: "alice", Password: "pa", Roles: []string{"r1", "app"}})
	require.NoError(b, err)
	require.NoError(b, a.EnableAuth(ctx))
	req := httptest.NewRequest("GET", "/v2/keys/app/x", nil)
	req.SetBasicAuth("alice", "pa")
	require.True(b, a.CanAccessKey(req, "/app/x", false, false))
	b.ReportAllocs()
	for b.Loop() {
		if !a.CanAccessKey(req, "/app/x", false, false) {
			b.Fatal("refused")
		}
	}
}
