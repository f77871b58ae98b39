package cluster

import (
	"time"

	"skiff/transport"
)

// BlockOneWay drops every raft message from member from to member to (and
// snapshots too), while messages the other way still flow: an asymmetric
// partition. It lasts across restarts until Heal.
func (c *Cluster) BlockOneWay(from, to int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.blocked[[2]int{from, to}] = true
	c.applyBlock(from, to)
}

// applyBlock tells both ends' transports (those running) to drop from → to.
// Called with c.mu held.
func (c *Cluster) applyBlock(from, to int) {
	if s := c.list()[from].Server(); s != nil && c.list()[to].id != 0 {
		s.Transport().Block(c.list()[to].id, transport.Outbound)
	}
	if s := c.list()[to].Server(); s != nil && c.list()[from].id != 0 {
		s.Transport().Block(c.list()[from].id, transport.Inbound)
	}
}

// Block cuts the link between a and b in both directions.
func (c *Cluster) Block(a, b int) {
	c.BlockOneWay(a, b)
	c.BlockOneWay(b, a)
}

// Partition cuts every link between members of different groups; members
// not named in any group are left connected to everyone.
func (c *Cluster) Partition(groups ...[]int) {
	for gi, g := range groups {
		for _, other := range groups[gi+1:] {
			for _, a := range g {
				for _, b := range other {
					c.Block(a, b)
				}
			}
		}
	}
}

// Isolate cuts member i off from every other member, both ways.
func (c *Cluster) Isolate(i int) {
	for j := range c.list() {
		if j != i {
			c.Block(i, j)
		}
	}
}

// Heal lifts every partition.
func (c *Cluster) Heal() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.blocked = map[[2]int]bool{}
	for _, m := range c.list() {
		if s := m.Server(); s != nil {
			s.Transport().UnblockAll()
		}
	}
}

// SkewClock moves member i's clock (the time its proposals and TTL sweeps
// are stamped with) by d from the real clock; 0 sets it right again.
func (c *Cluster) SkewClock(i int, d time.Duration) {
	c.list()[i].clockOffset.Store(int64(d))
}
