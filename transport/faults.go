package transport

import "maps"

// Direction selects the traffic that Block stops.
type Direction uint8

const (
	// Outbound is traffic from this member to the peer.
	Outbound Direction = 1 << iota
	// Inbound is traffic from the peer to this member.
	Inbound
	// Both directions: a full partition between the two members.
	Both = Outbound | Inbound
)

// partition maps a member ID to the directions blocked for it. It is
// immutable once published; Block and Unblock publish a new copy.
type partition map[uint64]Direction

// Block silently drops traffic with member id in direction d, on top of
// whatever was already blocked: messages Send would send to it vanish (raft
// is not told, as with a real network partition; snapshots report failure),
// and messages from it are discarded on arrival. Streams stay connected. It
// exists for fault-injection tests; with nothing blocked it costs one
// atomic load per message.
//
// A two-way partition between members a and b needs Block(b, Outbound) on
// a's transport, or Block(b, Both) on a's and Block(a, Both) on b's.
func (t *Transport) Block(id uint64, d Direction) {
	t.updateFaults(func(p partition) { p[id] |= d })
}

// Unblock lifts every block on member id.
func (t *Transport) Unblock(id uint64) {
	t.updateFaults(func(p partition) { delete(p, id) })
}

// UnblockAll lifts every block: the partition heals.
func (t *Transport) UnblockAll() {
	t.updateFaults(func(p partition) { clear(p) })
}

func (t *Transport) updateFaults(change func(partition)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	next := make(partition)
	if cur := t.faults.Load(); cur != nil {
		maps.Copy(next, *cur)
	}
	change(next)
	if len(next) == 0 {
		t.faults.Store(nil)
		return
	}
	t.faults.Store(&next)
}

// blocked reports whether traffic with member id in direction d is blocked.
func (t *Transport) blocked(id uint64, d Direction) bool {
	p := t.faults.Load()
	return p != nil && (*p)[id]&d != 0
}
