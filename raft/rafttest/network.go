package rafttest

import (
	"math/rand/v2"

	"skiff/raft/raftpb"
)

// network is the simulator's message fabric: every message gets a delivery
// step, may be dropped or duplicated, and is lost if a partition cuts its
// link at send or at delivery time. Delays reorder messages.
type network struct {
	rand   *rand.Rand
	faults Faults
	cut    map[[2]uint64]bool // directed links that are down
	queue  []inFlight
	seq    uint64
}

type inFlight struct {
	at  int    // step at which it is delivered
	seq uint64 // send order, to break ties deterministically
	msg raftpb.Message
}

// send puts m on the wire. It reports what happened for the trace.
func (n *network) send(now int, m raftpb.Message, calm bool) (dropped bool, copies int) {
	if n.cut[[2]uint64{m.From, m.To}] {
		return true, 0
	}
	if !calm && n.rand.Float64() < n.faults.Drop {
		return true, 0
	}
	copies = 1
	if !calm && n.rand.Float64() < n.faults.Duplicate {
		copies = 2
	}
	for i := 0; i < copies; i++ {
		delay := 1
		if !calm && n.faults.MaxDelay > 1 {
			delay += n.rand.IntN(n.faults.MaxDelay)
		}
		n.seq++
		n.queue = append(n.queue, inFlight{at: now + delay, seq: n.seq, msg: m})
	}
	return false, copies
}

// due removes and returns the messages to deliver at step now, in
// (delivery step, send order) order.
func (n *network) due(now int) []inFlight {
	var out []inFlight
	keep := n.queue[:0]
	for _, f := range n.queue {
		if f.at <= now {
			out = append(out, f)
		} else {
			keep = append(keep, f)
		}
	}
	n.queue = keep
	sortInFlight(out)
	return out
}

func sortInFlight(fs []inFlight) {
	// Insertion sort: batches are small and mostly ordered already.
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && less(fs[j], fs[j-1]); j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

func less(a, b inFlight) bool { return a.at < b.at || (a.at == b.at && a.seq < b.seq) }

// partition cuts the cluster into two sides; with oneWay only messages from
// side a to side b are lost.
func (n *network) partition(a, b []uint64, oneWay bool) {
	for _, x := range a {
		for _, y := range b {
			n.cut[[2]uint64{x, y}] = true
			if !oneWay {
				n.cut[[2]uint64{y, x}] = true
			}
		}
	}
}

// heal restores every link.
func (n *network) heal() { clear(n.cut) }

// dueFor removes and returns the messages to `to` that are due at step now.
func (n *network) dueFor(to uint64, now int) []inFlight {
	var out []inFlight
	keep := n.queue[:0]
	for _, f := range n.queue {
		if f.at <= now && f.msg.To == to {
			out = append(out, f)
		} else {
			keep = append(keep, f)
		}
	}
	n.queue = keep
	sortInFlight(out)
	return out
}
