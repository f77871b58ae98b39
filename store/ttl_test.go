package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestKeysExpireOnlyWhenTheSweepIsApplied(t *testing.T) {
	// §1.10: no timer; a key past its expiration is still readable until
	// DeleteExpiredKeys(now) runs, and then each expired node gets its own
	// index and event, earliest first.
	s := New()
	mustDo(t, s, "PUT /b value=1 ttl=2")
	mustDo(t, s, "PUT /a value=1 ttl=2")
	mustDo(t, s, "PUT /c value=1 ttl=1")
	mustDo(t, s, "PUT /p value=1")
	status, _ := do(t, s, "GET /c at=5")
	require.Equal(t, 200, status)
	events := s.DeleteExpiredKeys(t0.Add(2 * time.Second))
	var keys []string
	for _, e := range events {
		keys = append(keys, e.Node.Key)
		require.Equal(t, ActionExpire, e.Action)
	}
	// Ties at the same expiration go by path, so every member agrees.
	require.Equal(t, []string{"/c", "/a", "/b"}, keys)
	require.Equal(t, uint64(7), s.Index())
	require.Equal(t, uint64(7), events[2].EtcdIndex)
	require.False(t, s.HasTTLKeys())
	status, _ = do(t, s, "GET /p")
	require.Equal(t, 200, status)
}

func TestEmptyTTLClearsAnExistingTTL(t *testing.T) {
	// §1.2: ttl= (empty) means no TTL and clears one.
	s := New()
	mustDo(t, s, "PUT /k value=1 ttl=1")
	mustDo(t, s, "PUT /k value=2 ttl= prevExist=true")
	require.False(t, s.HasTTLKeys())
	require.Empty(t, s.DeleteExpiredKeys(t0.Add(time.Hour)))
}

func TestTTLZeroExpiresAtTheNextSweep(t *testing.T) {
	s := New()
	mustDo(t, s, "PUT /k value=1 ttl=0")
	require.True(t, s.HasTTLKeys())
	require.Len(t, s.DeleteExpiredKeys(t0), 1)
}

func TestReplacingAKeyDropsItsOldTTL(t *testing.T) {
	s := New()
	mustDo(t, s, "PUT /k value=1 ttl=1")
	mustDo(t, s, "PUT /k value=2")
	require.Empty(t, s.DeleteExpiredKeys(t0.Add(time.Hour)))
	mustDo(t, s, "PUT /d/k value=1 ttl=1")
	mustDo(t, s, "DELETE /d recursive=true")
	require.False(t, s.HasTTLKeys())
}

func TestExpirationBefore2000CountsAsPermanent(t *testing.T) {
	// §1.10: etcd treats expirations before 2000-01-01 as no TTL.
	s := New()
	_, err := s.Set(Keys, "/k", false, "v", TTL{Set: true, Seconds: 10}, time.Unix(0, 0))
	require.NoError(t, err)
	require.False(t, s.HasTTLKeys())
}

func TestTTLThatWouldOverflowIsRefused(t *testing.T) {
	s := New()
	for _, secs := range []uint64{1 << 63, 1<<64 - 1, 300 * 365 * 24 * 3600} {
		_, err := s.Set(Keys, "/k", false, "v", TTL{Set: true, Seconds: secs}, t0)
		require.Equal(t, EcodeTTLNaN, Code(err), "ttl %d", secs)
	}
	require.Equal(t, uint64(0), s.Index())
	require.Equal(t, uint64(3), s.Stats().SetFail)
}

func TestSetOverAFileMovesItsTTL(t *testing.T) {
	// A set over a file is a new node (§10.3: new createdIndex) whose TTL
	// replaces the old one in the heap: the old expiration must not fire,
	// and the node is in the heap once (Store invariant 3).
	s := New()
	mustDo(t, s, "PUT /k value=1 ttl=1")
	mustDo(t, s, "PUT /k value=2 ttl=5")
	e, err := s.Set(Keys, "/k", false, "3", TTL{Set: true, Seconds: 9}, t0)
	require.NoError(t, err)
	require.Equal(t, uint64(3), e.Node.CreatedIndex)
	require.Equal(t, "2", *e.PrevNode.Value)
	require.Equal(t, uint64(2), e.PrevNode.CreatedIndex)
	require.Empty(t, s.DeleteExpiredKeys(t0.Add(5*time.Second)))
	require.Len(t, s.DeleteExpiredKeys(t0.Add(9*time.Second)), 1)
	require.False(t, s.HasTTLKeys())
	mustDo(t, s, "PUT /p value=1 ttl=1")
	mustDo(t, s, "PUT /p value=2")
	require.False(t, s.HasTTLKeys())
}
