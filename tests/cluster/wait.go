package cluster

import (
	"fmt"
	"strings"
	"time"
)

// WaitTimeout bounds every Wait method: generous, because the machine the
// tests run on is shared, but far below the test binary's own timeout.
var WaitTimeout = 20 * time.Second

// Leader returns the member that every running member named in among (all
// running members when among is empty) agrees leads, or -1.
func (c *Cluster) Leader(among ...int) int {
	if len(among) == 0 {
		for i := range c.list() {
			among = append(among, i)
		}
	}
	var lead uint64
	for _, i := range among {
		s := c.list()[i].Server()
		if s == nil {
			continue
		}
		l, ok := s.Leader()
		if !ok || (lead != 0 && uint64(l) != lead) {
			return -1
		}
		lead = uint64(l)
	}
	for _, i := range among {
		if s := c.list()[i].Server(); s != nil && uint64(s.ID()) == lead && s.IsLeader() {
			return i
		}
	}
	return -1
}

// WaitLeader waits until the running members (or those in among) agree on
// a leader and returns it.
func (c *Cluster) WaitLeader(among ...int) int {
	c.t.Helper()
	lead := -1
	c.waitFor("the members agree on a leader", func() bool {
		lead = c.Leader(among...)
		return lead >= 0
	})
	return lead
}

// WaitStoreIndex waits until every running member's store reached index.
func (c *Cluster) WaitStoreIndex(index uint64) {
	c.t.Helper()
	c.waitFor(fmt.Sprintf("every running member's store reaches index %d", index), func() bool {
		for _, m := range c.list() {
			if s := m.Server(); s != nil && s.Store().Index() < index {
				return false
			}
		}
		return true
	})
}

// WaitConverged waits until every running member's store has the same
// index and the same hash: they applied the same entries.
func (c *Cluster) WaitConverged() {
	c.t.Helper()
	if err := c.Converge(WaitTimeout); err != nil {
		c.t.Fatal(err)
	}
}

// Converge is WaitConverged returning an error, for use off the test's
// goroutine or when the caller wants to report more.
func (c *Cluster) Converge(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		state, same := c.storeStates()
		if same {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("members did not converge within %v: %s", timeout, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// storeStates describes each running member's store index and hash and
// says whether they are all the same.
func (c *Cluster) storeStates() (string, bool) {
	var parts []string
	same := true
	var first string
	for _, m := range c.list() {
		s := m.Server()
		if s == nil {
			parts = append(parts, m.Name+"=down")
			continue
		}
		st := fmt.Sprintf("index %d hash %x", s.Store().Index(), s.StoreHash())
		if first == "" {
			first = st
		} else if st != first {
			same = false
		}
		parts = append(parts, m.Name+": "+st)
	}
	return strings.Join(parts, "; "), same
}

// waitFor polls cond until it holds or WaitTimeout passes.
func (c *Cluster) waitFor(what string, cond func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(WaitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			c.t.Fatalf("timed out after %v waiting until %s", WaitTimeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
