package v2auth

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPasswordsAreStoredAsBcryptHashes: the stored record holds a bcrypt
// hash that checks the password, never the password itself.
func TestPasswordsAreStoredAsBcryptHashes(t *testing.T) {
	a := testAuth(t, newFakeMember())
	_, err := a.CreateUser(context.Background(), User{User: "u", Password: "clear-text"})
	require.NoError(t, err)
	u, err := a.GetUser("u")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(u.Password, "$2a$"), "a bcrypt hash: %q", u.Password)
	require.NotContains(t, u.Password, "clear-text")
	require.True(t, a.CheckPassword(u, "clear-text"))
	require.False(t, a.CheckPassword(u, "clear-tex"))
	require.False(t, a.CheckPassword(u, ""))
}

// TestAPasswordOverBcryptsLimitIsRefused: more than 72 bytes is a 400 with
// a message saying so, not a silently truncated password.
func TestAPasswordOverBcryptsLimitIsRefused(t *testing.T) {
	a := testAuth(t, newFakeMember())
	_, err := a.CreateUser(context.Background(), User{User: "u", Password: strings.Repeat("p", 73)})
	require.Equal(t, http.StatusBadRequest, statusOf(err))
	require.ErrorContains(t, err, "longer than 72 bytes")
	_, err = a.CreateUser(context.Background(), User{User: "u", Password: strings.Repeat("p", 72)})
	require.NoError(t, err)
}

// TestCheckedPasswordCacheIsBounded: the cache of checked passwords never
// holds more than its size.
func TestCheckedPasswordCacheIsBounded(t *testing.T) {
	c := newPasswordCache(3)
	for i := range 10 {
		c.add(c.key("hash", fmt.Sprint(i)))
		require.LessOrEqual(t, len(c.entries), 3)
	}
	require.True(t, c.has(c.key("hash", "9")), "the newest entry is kept")
	require.False(t, c.has(c.key("hash2", "9")), "another hash is another entry")
}
