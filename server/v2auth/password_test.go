package v2auth

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

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

// TestBcryptChecksWaitForASlot: a password not yet checked waits while every
// bcrypt slot is taken, so a flood of wrong passwords cannot take all CPUs.
func TestBcryptChecksWaitForASlot(t *testing.T) {
	a := testAuth(t, newFakeMember())
	_, err := a.CreateUser(context.Background(), User{User: "u", Password: "pw"})
	require.NoError(t, err)
	u, err := a.GetUser("u")
	require.NoError(t, err)
	for range cap(a.bcryptSlots) {
		a.bcryptSlots <- struct{}{}
	}
	done := make(chan bool)
	go func() { done <- a.CheckPassword(u, "pw") }()
	select {
	case <-done:
		t.Fatal("a check ran with no slot free")
	case <-time.After(50 * time.Millisecond):
	}
	<-a.bcryptSlots
	require.True(t, <-done)
	a.bcryptSlots <- struct{}{} // every slot taken again
	require.True(t, a.CheckPassword(u, "pw"), "a checked password needs no slot")
}
