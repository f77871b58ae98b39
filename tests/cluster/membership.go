package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	"skiff/server/membership"
)

// Removed reports whether member i was removed from the cluster.
func (c *Cluster) Removed(i int) bool { return c.list()[i].removed.Load() }

// leaderIndex returns the member that leads, waiting for one until ctx ends.
func (c *Cluster) leaderIndex(ctx context.Context) (int, error) {
	for {
		if l := c.Leader(); l >= 0 {
			return l, nil
		}
		select {
		case <-ctx.Done():
			return -1, fmt.Errorf("no leader: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// AddMember adds a new member at runtime, as an operator would: the
// leader proposes the configuration change, then the member starts with
// --initial-cluster-state existing and catches up. It returns the new
// member's index.
func (c *Cluster) AddMember(ctx context.Context) (int, error) {
	m, err := newMember(c, len(c.list()))
	if err != nil {
		return -1, err
	}
	m.joins = true
	l, err := c.leaderIndex(ctx)
	if err != nil {
		closeAll(m.lns)
		return -1, err
	}
	s := c.list()[l].Server()
	if s == nil {
		closeAll(m.lns)
		return -1, fmt.Errorf("the leader m%d went down", l+1)
	}
	if _, err := s.AddMember(ctx, []string{m.PeerURL()}); err != nil {
		closeAll(m.lns)
		return -1, fmt.Errorf("adding %s through m%d: %w", m.Name, l+1, err)
	}
	c.addToList(m)
	i := len(c.list()) - 1
	// The new member reads the member list from a peer, which may not have
	// applied the addition yet ("member count is unequal"): try again, as
	// an operator would.
	for try := 0; ; try++ {
		err := c.start(i)
		if err == nil || try == 20 || ctx.Err() != nil {
			return i, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// RemoveMember removes member i through the leader and waits until it has
// stopped (a removed member stops itself). It is never restarted.
func (c *Cluster) RemoveMember(ctx context.Context, i int) error {
	m := c.list()[i]
	l, err := c.leaderIndex(ctx)
	if err != nil {
		return err
	}
	ls := c.list()[l].Server()
	if ls == nil {
		return fmt.Errorf("the leader m%d went down", l+1)
	}
	if err := ls.RemoveMember(ctx, membership.ID(m.id)); err != nil && c.isMember(m.id) {
		return fmt.Errorf("removing %s through m%d: %w", m.Name, l+1, err)
	}
	m.removed.Store(true)
	s := m.Server()
	if s != nil {
		select {
		case <-s.Done():
		case <-ctx.Done():
			return errors.New(m.Name + " did not stop after its removal")
		}
	}
	m.stop(true)
	return nil
}

// isMember reports whether any running member still lists id (an answer
// lost with the leader does not mean the removal failed).
func (c *Cluster) isMember(id uint64) bool {
	for _, m := range c.list() {
		s := m.Server()
		if s == nil || m.id == id {
			continue
		}
		_, ok := s.Member(id)
		return ok
	}
	return true
}
