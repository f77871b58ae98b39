package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A namespace's generation moves with every change in it, and only then:
// writes, expiries and Recovery; reads and changes to other namespaces
// leave it; a new store never repeats another's.
func TestGenerationMovesWithItsNamespace(t *testing.T) {
	s := New()
	now := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC) // TTLs before 2000 are permanent, as in etcd
	g := s.Generation(Auth)
	require.NotZero(t, g)
	_, err := s.Set(Keys, "/k", false, "v", TTL{}, now)
	require.NoError(t, err)
	_, err = s.Get(Auth, "/", false, false, now)
	require.NoError(t, err)
	require.Equal(t, g, s.Generation(Auth), "a read, or a write elsewhere")

	_, err = s.Set(Auth, "/enabled", false, "true", TTL{Set: true, Seconds: 1}, now)
	require.NoError(t, err)
	g2 := s.Generation(Auth)
	require.NotEqual(t, g, g2, "a write")
	s.DeleteExpiredKeys(now.Add(2 * time.Second))
	g3 := s.Generation(Auth)
	require.NotEqual(t, g2, g3, "an expiry")

	saved, err := New().Save()
	require.NoError(t, err)
	require.NoError(t, s.Recovery(saved))
	require.NotEqual(t, g3, s.Generation(Auth), "a recovery")
	require.NotEqual(t, s.Generation(Auth), New().Generation(Auth), "another store")
}
