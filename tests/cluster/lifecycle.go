package cluster

import (
	"fmt"
	"path/filepath"
	"sync"

	"skiff/server"
)

// start starts member i and re-applies the partitions that involve it (a
// new member has a new transport with nothing blocked).
func (c *Cluster) start(i int) error {
	m := c.list()[i]
	m.mu.Lock()
	old := m.srv
	m.mu.Unlock()
	c.noteFailure(m, old)
	if err := m.start(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for link := range c.blocked {
		if link[0] == i || link[1] == i {
			c.applyBlock(link[0], link[1])
		}
	}
	return nil
}

// Running reports whether member i is up.
func (c *Cluster) Running(i int) bool { return c.list()[i].Server() != nil }

// Stop stops member i gracefully and returns the error that had stopped it
// earlier, if any.
func (c *Cluster) Stop(i int) error { return c.list()[i].stop(true) }

// Kill stops member i as kill -9 would: nothing more is written, in-flight
// requests fail.
func (c *Cluster) Kill(i int) { c.list()[i].stop(false) }

// Restart starts member i again on its data dir and ports (after Stop or
// Kill), failing the test if it cannot.
func (c *Cluster) Restart(i int) {
	c.t.Helper()
	if err := c.start(i); err != nil {
		c.t.Fatal(err)
	}
}

// TryRestart is Restart for goroutines other than the test's: it returns
// the error instead of failing the test.
func (c *Cluster) TryRestart(i int) error { return c.start(i) }

// KillAll kills every member at once, as a power failure would.
func (c *Cluster) KillAll() {
	var wg sync.WaitGroup
	for i := range c.list() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Kill(i)
		}()
	}
	wg.Wait()
}

// RestartAll starts every member that is down (and not removed).
func (c *Cluster) RestartAll() {
	c.t.Helper()
	for i, m := range c.list() {
		if !c.Running(i) && !m.removed.Load() {
			c.Restart(i)
		}
	}
}

// Failures lists the members that stopped on their own with an error (a
// failed WAL write, a corrupt disk), which a test should report: the
// harness's own Stop, Kill and Crash and a removal do not count.
func (c *Cluster) Failures() []string {
	for _, m := range c.list() {
		m.mu.Lock()
		s := m.srv
		m.mu.Unlock()
		c.noteFailure(m, s)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.failures...)
}

// noteFailure records s (member m's server, possibly nil) if it stopped
// on its own with an error; each server is recorded once.
func (c *Cluster) noteFailure(m *Member, s *server.Server) {
	if s == nil || m.removed.Load() {
		return
	}
	select {
	case <-s.Done():
	default:
		return
	}
	if s.Err() == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failed[s] {
		return
	}
	if c.failed == nil {
		c.failed = map[*server.Server]bool{}
	}
	c.failed[s] = true
	c.failures = append(c.failures, fmt.Sprintf("%s stopped on its own: %v (log: %s)", m.Name, s.Err(), filepath.Join(c.root, m.Name+".log")))
}
