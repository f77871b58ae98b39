package store

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestConcurrentReadersWatchersAndOneWriter runs gets, watches, removes and
// stats beside a writer; run with -race it checks the locking. Every
// watcher's events must arrive in index order.
func TestConcurrentReadersWatchersAndOneWriter(t *testing.T) {
	s := New()
	const writes = 2000
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				s.Get(Keys, fmt.Sprintf("/d/k%d", i%10), false, false, t0)
				s.Get(Keys, "/d", true, true, t0)
				s.Stats()
				w, err := s.Watch(Keys, "/d", true, i%2 == 0, 0)
				if err != nil {
					t.Error(err)
					return
				}
				checkOrdered(t, w, i%3 == 0)
			}
		}(r)
	}
	for i := 0; i < writes; i++ {
		key := fmt.Sprintf("/d/k%d", i%10)
		if _, err := s.Set(Keys, key, false, "v", TTL{Set: true, Seconds: uint64(i % 3)}, t0); err != nil {
			t.Fatal(err)
		}
		if i%100 == 99 {
			s.DeleteExpiredKeys(t0.Add(time.Second))
		}
	}
	close(stop)
	wg.Wait()
}

// checkOrdered reads a few events from w, checks their order and removes it.
func checkOrdered(t *testing.T, w *Watcher, early bool) {
	defer w.Remove()
	if early {
		return
	}
	var last uint64
	timeout := time.After(50 * time.Millisecond)
	for n := 0; n < 3; n++ {
		select {
		case e, ok := <-w.EventChan():
			if !ok {
				return
			}
			if e.Index() <= last {
				t.Errorf("events out of order: %d after %d", e.Index(), last)
			}
			last = e.Index()
		case <-timeout:
			return
		}
	}
}
