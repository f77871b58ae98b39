package store

import (
	"time"
)

// NodeExtern is a node as the v2 API shows it (contract §1.4). The fields are
// in the order etcd emits them and all are omitempty: a file always has a
// value (Value points at "" for an empty one), a directory has Dir and no
// value, the root has no key and no indexes, and an empty or unlisted
// directory has no nodes.
type NodeExtern struct {
	Key           string        `json:"key,omitempty"`
	Value         *string       `json:"value,omitempty"`
	Dir           bool          `json:"dir,omitempty"`
	Expiration    *time.Time    `json:"expiration,omitempty"`
	TTL           int64         `json:"ttl,omitempty"`
	Nodes         []*NodeExtern `json:"nodes,omitempty"`
	ModifiedIndex uint64        `json:"modifiedIndex,omitempty"`
	CreatedIndex  uint64        `json:"createdIndex,omitempty"`
}

// externSlot holds a NodeExtern and the copies of the value and expiration it
// points at (the node's own may change later; the event's must not), so that
// rendering a node is one allocation, or none inside a writeEvent.
type externSlot struct {
	e NodeExtern
	v string
	t time.Time
}

// extern renders n alone: no children, with its expiration and remaining TTL
// as of now.
func (n *node) extern(now time.Time) *NodeExtern { return n.externInto(new(externSlot), now) }

// externInto is extern rendering into x.
func (n *node) externInto(x *externSlot, now time.Time) *NodeExtern {
	x.e = NodeExtern{Key: n.displayKey(), ModifiedIndex: n.modifiedIndex, CreatedIndex: n.createdIndex}
	e := &x.e
	if n.isDir() {
		e.Dir = true
	} else {
		x.v = n.value
		e.Value = &x.v
	}
	if n.expireAt != 0 {
		x.t = time.Unix(0, n.expireAt).UTC()
		e.Expiration, e.TTL = &x.t, remainingTTL(x.t, now)
	}
	return e
}

// writeEvent is the event of a write that shows a node and maybe its previous
// state, with room for both, so the event costs one allocation: every member
// makes one per applied write. The parts live exactly as long as the event.
type writeEvent struct {
	ev         Event
	node, prev externSlot
}

// externTree renders n for a get: a directory lists its visible children, and
// each child directory lists its own only when recursive (§1.4, §1.7).
func (n *node) externTree(recursive, sorted bool, now time.Time) *NodeExtern {
	e := n.extern(now)
	if !n.isDir() {
		return e
	}
	for _, c := range n.visibleChildren(sorted) {
		if recursive {
			e.Nodes = append(e.Nodes, c.externTree(true, sorted, now))
		} else {
			e.Nodes = append(e.Nodes, c.extern(now))
		}
	}
	return e
}

// remainingTTL is the ttl shown for a node expiring at t: the ceiling of the
// remaining seconds while time remains; past the expiration, the remaining
// time truncated toward zero, as etcd computes it, so a key at or just past
// its expiration shows no ttl (§1.4, seen with ttl=0).
func remainingTTL(t, now time.Time) int64 {
	left := t.Sub(now)
	ttl := int64(left / time.Second)
	if left%time.Second > 0 {
		ttl++
	}
	return ttl
}

// clone returns a deep copy of e.
func (e *NodeExtern) clone() *NodeExtern {
	if e == nil {
		return nil
	}
	c := *e
	if e.Value != nil {
		v := *e.Value
		c.Value = &v
	}
	if e.Expiration != nil {
		t := *e.Expiration
		c.Expiration = &t
	}
	if e.Nodes != nil {
		c.Nodes = make([]*NodeExtern, len(e.Nodes))
		for i, child := range e.Nodes {
			c.Nodes[i] = child.clone()
		}
	}
	return &c
}
