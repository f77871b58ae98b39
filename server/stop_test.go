package server

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"skiff/store"
)

// Stop while writers are busy: every Do returns (no hang), each either
// applied or failed with an error, and every acknowledged write is there
// after a restart.
func TestStopDuringWritesLosesNoAcknowledgedWrite(t *testing.T) {
	c := newTestCluster(t, 1)
	s := c.members[0].s
	var mu sync.Mutex
	acked := map[string]bool{}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				key := fmt.Sprintf("/w%d/%d", w, i)
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_, err := s.Do(ctx, &store.Request{Method: store.MethodPut, Namespace: store.Keys, Key: key, Value: "v"})
				cancel()
				if err != nil {
					return
				}
				mu.Lock()
				acked[key] = true
				mu.Unlock()
			}
		}()
	}
	time.Sleep(200 * time.Millisecond)
	done := make(chan struct{})
	go func() { s.Stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Stop hangs with writers in flight")
	}
	wg.Wait()
	c.start(0)
	c.waitLeader()
	for key := range acked {
		if _, ok := c.get(0, key); !ok {
			t.Fatalf("acknowledged write %s lost across Stop", key)
		}
	}
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged before Stop")
	}
}

// A second member on a data dir in use is refused with a message that says
// what to do.
func TestDataDirInUseIsRefused(t *testing.T) {
	c := newTestCluster(t, 1)
	cfg := c.config(0)
	cfg.ListenPeerURLs, cfg.ListenClientURLs = mustURL(t, "http://"+freeAddr(t)), mustURL(t, "http://"+freeAddr(t))
	_, err := New(cfg, Options{})
	if err == nil || !strings.Contains(err.Error(), "another skiff process") {
		t.Fatalf("second member on the same data dir: err = %v", err)
	}
}
