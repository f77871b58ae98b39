package server

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"skiff/store"
)

// Writers on every member while members are killed and restarted one at a
// time: every acknowledged write is on every member at the end, and the
// members' stores are identical. The seed is logged for replay of the
// schedule (timing still varies).
func TestKillRestartUnderLoadLosesNoAcknowledgedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("a few seconds of load with kills")
	}
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	c := newTestCluster(t, 3)

	var mu sync.Mutex // guards the members' servers and acked
	acked := map[string]string{}
	server := func(i int) *Server {
		mu.Lock()
		defer mu.Unlock()
		return c.members[i].s
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				key, value := fmt.Sprintf("/chaos/%d/%d", w, n), fmt.Sprint(n)
				s := server(w % 3)
				if s == nil {
					time.Sleep(10 * time.Millisecond)
					continue
				}
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				_, err := s.Do(ctx, &store.Request{Method: store.MethodPut, Namespace: store.Keys, Key: key, Value: value})
				cancel()
				if err == nil {
					mu.Lock()
					acked[key] = value
					mu.Unlock()
				}
			}
		}()
	}
	for range 6 {
		time.Sleep(time.Duration(150+rng.IntN(250)) * time.Millisecond)
		victim := rng.IntN(3)
		s := server(victim)
		mu.Lock()
		c.members[victim].s = nil
		mu.Unlock()
		s.Kill()
		time.Sleep(time.Duration(50+rng.IntN(200)) * time.Millisecond)
		mu.Lock()
		c.start(victim) // sets c.members[victim].s
		mu.Unlock()
	}
	close(stop)
	wg.Wait()
	c.waitLeader()
	ev := c.put(0, "/chaos/end", "1")
	c.waitStoreIndex(ev.Node.ModifiedIndex)
	c.waitSameStores()
	for key, value := range acked {
		for i := range c.members {
			if v, ok := c.get(i, key); !ok || v != value {
				t.Fatalf("seed %d: %s lost acknowledged %s=%s (has %q, %v)", seed, c.members[i].name, key, value, v, ok)
			}
		}
	}
	t.Logf("%d acknowledged writes checked on every member", len(acked))
}
