package store

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// scene builds a store with files, dirs, TTLs, hidden keys, in-order keys and
// all three namespaces.
func scene(t *testing.T) *Store {
	s := New()
	for _, line := range []string{
		"PUT /a/b/c value=1", "PUT /a/_h value=2 ttl=30", "PUT /d dir=true ttl=10",
		"POST /q value=x", "PUT /members/1/attributes value={} ns=0", "PUT /enabled value=true ns=2",
		"PUT /a/b/c value=3 prevValue=1", "DELETE /a/b/c", "PUT /t value=4 ttl=10",
	} {
		mustDo(t, s, line)
	}
	return s
}

func TestSaveAndRecoveryRoundTrip(t *testing.T) {
	s := scene(t)
	data, err := s.Save()
	require.NoError(t, err)
	r := New()
	require.NoError(t, r.Recovery(data))
	require.Equal(t, string(s.Dump()), string(r.Dump()))
	require.Equal(t, s.Hash(), r.Hash())
	again, err := r.Save()
	require.NoError(t, err)
	require.Equal(t, string(data), string(again), "Save after Recovery gives the same bytes")

	// Recovering and continuing gives what never stopping gives: the same
	// expiry, the same events, the same history for a past watch.
	later := t0.Add(10 * time.Second)
	require.Equal(t, mustJSON(t, s.DeleteExpiredKeys(later)), mustJSON(t, r.DeleteExpiredKeys(later)))
	ws, err := s.Watch(Keys, "/", true, false, 2)
	require.NoError(t, err)
	wr, err := r.Watch(Keys, "/", true, false, 2)
	require.NoError(t, err)
	require.Equal(t, mustJSON(t, <-ws.EventChan()), mustJSON(t, <-wr.EventChan()))
	require.Equal(t, s.Hash(), r.Hash())
}

func TestCloneIsIndependent(t *testing.T) {
	s := scene(t)
	c := s.Clone()
	require.Equal(t, s.Hash(), c.Hash())
	mustDo(t, c, "PUT /new value=1")
	require.NotEqual(t, s.Hash(), c.Hash())
	c = s.Clone()
	require.NotEmpty(t, s.DeleteExpiredKeys(t0.Add(time.Hour)))
	require.Equal(t, s.Hash(), func() uint64 { c.DeleteExpiredKeys(t0.Add(time.Hour)); return c.Hash() }())
}

func TestRecoveryRefusesBadSnapshots(t *testing.T) {
	s := scene(t)
	before := s.Dump()
	for _, bad := range []string{
		``, `{`, `[]`, `{"version":1,"index":0,"nodes":[]}`,
		`{"version":2,"index":0,"extra":1,"nodes":[]}`,
		`{"version":2,"index":0,"nodes":[null]}`,
		// A node whose directory is missing, or comes after it.
		`{"version":2,"index":1,"nodes":[{"ns":1,"key":"/x/y","createdIndex":1,"modifiedIndex":1}]}`,
		`{"version":2,"index":1,"nodes":[{"ns":1,"key":"/x/y","createdIndex":1,"modifiedIndex":1},{"ns":1,"key":"/x","dir":true,"createdIndex":1,"modifiedIndex":1}]}`,
		// A file with children.
		`{"version":2,"index":1,"nodes":[{"ns":1,"key":"/f","createdIndex":1,"modifiedIndex":1},{"ns":1,"key":"/f/x","createdIndex":1,"modifiedIndex":1}]}`,
		// Indexes past the store index, or created after modified.
		`{"version":2,"index":1,"nodes":[{"ns":1,"key":"/x","createdIndex":1,"modifiedIndex":5}]}`,
		`{"version":2,"index":5,"nodes":[{"ns":1,"key":"/x","createdIndex":3,"modifiedIndex":2}]}`,
		// Keys that are not clean paths, the root, a duplicate, a bad namespace.
		`{"version":2,"index":1,"nodes":[{"ns":1,"key":"x","createdIndex":1,"modifiedIndex":1}]}`,
		`{"version":2,"index":1,"nodes":[{"ns":1,"key":"/a/../b","createdIndex":1,"modifiedIndex":1}]}`,
		`{"version":2,"index":1,"nodes":[{"ns":1,"key":"/","dir":true,"createdIndex":1,"modifiedIndex":1}]}`,
		`{"version":2,"index":1,"nodes":[{"ns":1,"key":"/x","createdIndex":1,"modifiedIndex":1},{"ns":1,"key":"/x","createdIndex":1,"modifiedIndex":1}]}`,
		`{"version":2,"index":1,"nodes":[{"ns":3,"key":"/x","createdIndex":1,"modifiedIndex":1}]}`,
		// A directory with a value.
		`{"version":2,"index":1,"nodes":[{"ns":1,"key":"/d","dir":true,"value":"x","createdIndex":1,"modifiedIndex":1}]}`,
		// History that does not end at the index, in an unknown namespace, without a node.
		`{"version":2,"index":0,"nodes":[],"history":[{"ns":1,"event":{"action":"set","node":{"key":"/k","modifiedIndex":1}}}]}`,
		`{"version":2,"index":2,"nodes":[],"history":[{"ns":1,"event":{"action":"set","node":{"key":"/k","modifiedIndex":1}}}]}`,
		`{"version":2,"index":1,"nodes":[],"history":[{"ns":9,"event":{"action":"set","node":{"key":"/k","modifiedIndex":1}}}]}`,
		`{"version":2,"index":1,"nodes":[],"history":[{"ns":1,"event":{"action":"set"}}]}`,
	} {
		require.Error(t, s.Recovery([]byte(bad)), "snapshot %q", bad)
	}
	require.Equal(t, string(before), string(s.Dump()), "a refused snapshot leaves the store unchanged")
}

func TestStatsCountEveryOperation(t *testing.T) {
	s := New()
	for _, line := range []string{
		"PUT /k value=1", "PUT / value=1", "GET /k", "GET /nope", "PUT /k value=2 prevExist=true",
		"PUT /nope value=1 prevExist=true", "PUT /c value=1 prevExist=false", "PUT /c value=1 prevExist=false",
		"PUT /k value=3 prevValue=2", "PUT /k value=3 prevValue=9", "DELETE /c prevValue=1", "DELETE /k prevValue=9",
		"DELETE /k", "DELETE /k", "PUT /e value=1 ttl=0",
	} {
		do(t, s, line)
	}
	s.DeleteExpiredKeys(t0)
	require.Equal(t, `{"getsSuccess":1,"getsFail":1,"setsSuccess":2,"setsFail":1,"deleteSuccess":1,"deleteFail":1,"updateSuccess":1,"updateFail":1,"createSuccess":1,"createFail":1,"compareAndSwapSuccess":1,"compareAndSwapFail":1,"compareAndDeleteSuccess":1,"compareAndDeleteFail":1,"expireCount":1,"watchers":0}`,
		mustJSON(t, s.Stats()))
}

func TestDeepTreeSnapshotRecovers(t *testing.T) {
	// JSON decoders stop at 10,000 levels of nesting; the flat snapshot does
	// not nest, so a key 10,001 directories deep still recovers.
	s := New()
	key := strings.Repeat("/d", 10001) + "/k"
	_, err := s.Set(Keys, key, false, "deep", TTL{}, t0)
	require.NoError(t, err)
	data, err := s.Save()
	require.NoError(t, err)
	r := New()
	require.NoError(t, r.Recovery(data))
	e, err := r.Get(Keys, key, false, false, t0)
	require.NoError(t, err)
	require.Equal(t, "deep", *e.Node.Value)
	_, err = r.Delete(Keys, "/d", false, true, t0)
	require.NoError(t, err)
}
