package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// next reads one event that must already be waiting on w.
func next(t *testing.T, w *Watcher) *Event {
	t.Helper()
	select {
	case e, ok := <-w.EventChan():
		require.True(t, ok, "watch channel closed, want an event")
		return e
	default:
		t.Fatal("no event waiting")
		return nil
	}
}

// nothing checks that w has no event waiting and is still open.
func nothing(t *testing.T, w *Watcher) {
	t.Helper()
	select {
	case e, ok := <-w.EventChan():
		if ok {
			t.Fatalf("unexpected event %s", mustJSON(t, e))
		}
		t.Fatal("watch channel closed, want it open")
	default:
	}
}

// closed checks that w's channel is closed with nothing left in it.
func closed(t *testing.T, w *Watcher) {
	t.Helper()
	select {
	case e, ok := <-w.EventChan():
		require.False(t, ok, "want closed channel, got event %s", mustJSON(t, e))
	default:
		t.Fatal("watch channel still open")
	}
}

func watch(t *testing.T, s *Store, key string, recursive, stream bool, since uint64) *Watcher {
	t.Helper()
	w, err := s.Watch(Keys, key, recursive, stream, since)
	require.NoError(t, err)
	return w
}

func TestWatchWithoutIndexGetsOnlyTheNextEventThenCloses(t *testing.T) {
	// §1.8: no waitIndex means future events only; a plain watch returns
	// exactly one event.
	s := New()
	mustDo(t, s, "PUT /k value=1")
	w := watch(t, s, "/k", false, false, 0)
	require.Equal(t, uint64(1), w.StartIndex())
	nothing(t, w)
	mustDo(t, s, "PUT /k value=2")
	e := next(t, w)
	require.Equal(t, `{"action":"set","node":{"key":"/k","value":"2","modifiedIndex":2,"createdIndex":2},"prevNode":{"key":"/k","value":"1","modifiedIndex":1,"createdIndex":1}}`, mustJSON(t, e))
	closed(t, w)
	require.Equal(t, uint64(0), s.Stats().Watchers)
}

func TestNonRecursiveWatchOnDirIgnoresChildren(t *testing.T) {
	// §1.8: a non-recursive watch on a dir does not fire for its children.
	s := New()
	mustDo(t, s, "PUT /d dir=true")
	w := watch(t, s, "/d", false, false, 0)
	mustDo(t, s, "PUT /d/a value=1")
	nothing(t, w)
	mustDo(t, s, "PUT /d dir=true prevExist=true ttl=5")
	require.Equal(t, "update", next(t, w).Action)
}

func TestRecursiveWatchSeesSubtreeButNotHiddenDescendants(t *testing.T) {
	// §1.7: recursive watchers on an ancestor do not get events for hidden
	// descendants; a watch on the hidden key itself does, and a recursive
	// watch inside a hidden dir sees what is below it.
	s := New()
	w := watch(t, s, "/d", true, true, 0)
	hidden := watch(t, s, "/d/_h", false, false, 0)
	inside := watch(t, s, "/d/_hd", true, false, 0)
	mustDo(t, s, "PUT /d/_h value=1")
	nothing(t, w)
	require.Equal(t, "/d/_h", next(t, hidden).Node.Key)
	mustDo(t, s, "PUT /d/_hd/x value=1")
	nothing(t, w)
	require.Equal(t, "/d/_hd/x", next(t, inside).Node.Key)
	mustDo(t, s, "PUT /d/v/w value=1")
	require.Equal(t, "/d/v/w", next(t, w).Node.Key)
}

func TestDeletingADirWakesWatchersBelowIt(t *testing.T) {
	// §1.8: deleting an ancestor dir notifies watchers on its descendants with
	// the dir's event; that includes watches on keys that did not exist and
	// on hidden keys.
	s := New()
	mustDo(t, s, "PUT /a/b/c value=1")
	onFile := watch(t, s, "/a/b/c", false, false, 0)
	onMissing := watch(t, s, "/a/b/nope", false, false, 0)
	onHidden := watch(t, s, "/a/_x", false, false, 0)
	onSibling := watch(t, s, "/ab", true, false, 0)
	mustDo(t, s, "DELETE /a recursive=true")
	for _, w := range []*Watcher{onFile, onMissing, onHidden} {
		e := next(t, w)
		require.Equal(t, `{"action":"delete","node":{"key":"/a","dir":true,"modifiedIndex":2,"createdIndex":1},"prevNode":{"key":"/a","dir":true,"modifiedIndex":1,"createdIndex":1}}`, mustJSON(t, e))
	}
	nothing(t, onSibling)
}

func TestExpiringADirWakesWatchersBelowIt(t *testing.T) {
	// §1.3, §1.10: one expire event for the dir; its prevNode has the
	// expiration but no ttl.
	s := New()
	mustDo(t, s, "PUT /d dir=true ttl=5")
	mustDo(t, s, "PUT /d/k value=1")
	w := watch(t, s, "/d/k", false, false, 0)
	require.Empty(t, s.DeleteExpiredKeys(t0.Add(4*time.Second)))
	nothing(t, w)
	events := s.DeleteExpiredKeys(t0.Add(5 * time.Second))
	require.Len(t, events, 1)
	want := `{"action":"expire","node":{"key":"/d","dir":true,"modifiedIndex":3,"createdIndex":1},"prevNode":{"key":"/d","dir":true,"expiration":"2026-11-24T04:00:05Z","modifiedIndex":1,"createdIndex":1}}`
	require.Equal(t, want, mustJSON(t, events[0]))
	require.Equal(t, want, mustJSON(t, next(t, w)))
	require.False(t, s.HasTTLKeys())
	require.Equal(t, uint64(1), s.Stats().ExpireCount)
}

func TestWaitIndexInThePastReturnsFirstMatchFromHistory(t *testing.T) {
	// §1.8: the first matching event with index ≥ waitIndex, with prevNode,
	// at once; the watch's X-Etcd-Index is the index when it started.
	s := New()
	mustDo(t, s, "PUT /k value=1")     // 1
	mustDo(t, s, "PUT /other value=1") // 2
	mustDo(t, s, "PUT /k value=2")     // 3
	mustDo(t, s, "PUT /other value=2") // 4
	w := watch(t, s, "/k", false, false, 2)
	require.Equal(t, uint64(4), w.StartIndex())
	e := next(t, w)
	require.Equal(t, uint64(3), e.Index())
	require.Equal(t, "1", *e.PrevNode.Value)
	closed(t, w)

	exact := watch(t, s, "/k", false, false, 3)
	require.Equal(t, uint64(3), next(t, exact).Index())
}

func TestWaitIndexInTheFutureWaitsForIt(t *testing.T) {
	// §1.8: waitIndex beyond the last index waits for a matching event with
	// index ≥ waitIndex; earlier matching events are skipped.
	s := New()
	w := watch(t, s, "/k", false, false, 3)
	mustDo(t, s, "PUT /k value=1") // 1
	mustDo(t, s, "PUT /k value=2") // 2
	nothing(t, w)
	mustDo(t, s, "PUT /k value=3") // 3
	require.Equal(t, uint64(3), next(t, w).Index())
}

func TestWaitIndexOlderThanHistoryIs401(t *testing.T) {
	// §1.8: 1000 events are kept for the whole store; an older waitIndex is
	// 401 (sent with HTTP 400) naming [oldest/requested] and the current index.
	s := New()
	for i := 0; i < historySize+5; i++ {
		mustDo(t, s, fmt.Sprintf("PUT /k%d value=x", i%7))
	}
	_, err := s.Watch(Keys, "/k1", false, false, 1)
	require.Equal(t, `{"errorCode":401,"message":"The event in requested index is outdated and cleared","cause":"the requested history has been cleared [6/1]","index":1005}`, mustJSON(t, err))
	require.Equal(t, 400, err.(*Error).StatusCode())
	w := watch(t, s, "/k5", false, false, 6) // the oldest held still works
	require.Equal(t, uint64(6), next(t, w).Index())
}

func TestRefreshIsInHistoryButWakesNobody(t *testing.T) {
	// §1.2, §1.8: a refresh takes an index and is kept, but scans skip it and
	// watchers never see it.
	s := New()
	mustDo(t, s, "PUT /k value=1 ttl=10")
	w := watch(t, s, "/k", false, false, 0)
	mustDo(t, s, "PUT /k ttl=20 refresh=true prevExist=true")
	nothing(t, w)
	require.Equal(t, uint64(2), s.Index())
	past, err := s.Watch(Keys, "/k", false, false, 2)
	require.NoError(t, err)
	nothing(t, past)
	mustDo(t, s, "PUT /k value=3")
	require.Equal(t, uint64(3), next(t, w).Index())
	require.Equal(t, uint64(3), next(t, past).Index())
}

func TestStreamWatcherGetsEveryEventAndStays(t *testing.T) {
	s := New()
	mustDo(t, s, "PUT /k value=0")
	w := watch(t, s, "/k", false, true, 1) // from the history, then live
	for i := 1; i <= 3; i++ {
		mustDo(t, s, fmt.Sprintf("PUT /k value=%d", i))
	}
	for i := uint64(1); i <= 4; i++ {
		require.Equal(t, i, next(t, w).Index())
	}
	nothing(t, w)
	require.Equal(t, uint64(1), s.Stats().Watchers)
	w.Remove()
	closed(t, w)
	w.Remove() // twice is fine
	require.Equal(t, uint64(0), s.Stats().Watchers)
}

func TestSlowStreamWatcherIsRemovedNotWaitedFor(t *testing.T) {
	// §1.8: each watcher buffers 100 events; one more removes it and ends the
	// stream, and the writes never block.
	s := New()
	w := watch(t, s, "/k", false, true, 0)
	for i := 0; i < watcherBuffer+10; i++ {
		mustDo(t, s, "PUT /k value=x")
	}
	for i := 0; i < watcherBuffer; i++ {
		next(t, w)
	}
	closed(t, w)
	require.Equal(t, uint64(0), s.Stats().Watchers)
}

func TestStreamBacklogLongerThanTheBufferEndsTheStream(t *testing.T) {
	s := New()
	for i := 0; i < watcherBuffer+1; i++ {
		mustDo(t, s, "PUT /k value=x")
	}
	w := watch(t, s, "/k", false, true, 1)
	for i := uint64(1); i <= watcherBuffer; i++ {
		require.Equal(t, i, next(t, w).Index())
	}
	closed(t, w)
}

func TestWatchOnTheRootIsRecursiveOverEverything(t *testing.T) {
	s := New()
	w := watch(t, s, "/", true, true, 0)
	mustDo(t, s, "PUT /a/b value=1")
	mustDo(t, s, "POST / value=2")
	mustDo(t, s, "PUT /_hidden value=3")
	require.Equal(t, "/a/b", next(t, w).Node.Key)
	require.Equal(t, "/00000000000000000002", next(t, w).Node.Key)
	nothing(t, w)
}

func TestWatchersAreSeparatedByNamespace(t *testing.T) {
	s := New()
	w := watch(t, s, "/", true, true, 0)
	mustDo(t, s, "PUT /members/1 value=x ns=0")
	nothing(t, w)
	past := watch(t, s, "/members/1", false, false, 1)
	nothing(t, past)
}

func TestRecoveryEndsWatches(t *testing.T) {
	s := New()
	mustDo(t, s, "PUT /k value=1")
	snap, err := s.Save()
	require.NoError(t, err)
	w := watch(t, s, "/k", false, false, 0)
	require.NoError(t, s.Recovery(snap))
	closed(t, w)
	require.Equal(t, uint64(0), s.Stats().Watchers)
}
