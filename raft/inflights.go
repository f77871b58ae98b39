package raft

// inflights is the window of AppendEntries a leader has sent to one follower
// in StateReplicate and not yet heard back about (thesis §10.2.2:
// pipelining). It is a ring buffer of (last index, bytes) per message,
// bounded both in count and in bytes.
type inflights struct {
	start    int // ring position of the oldest message
	count    int
	bytes    uint64
	maxCount int
	maxBytes uint64 // 0 means no byte limit
	buf      []inflight
}

type inflight struct {
	index uint64 // last entry index carried by the message
	bytes uint64
}

func newInflights(maxCount int, maxBytes uint64) *inflights {
	return &inflights{maxCount: maxCount, maxBytes: maxBytes}
}

// add records a message carrying entries up to index, of the given size.
func (in *inflights) add(index, bytes uint64) {
	if in.full() {
		panic("raft: adding to a full inflights window")
	}
	if in.count == len(in.buf) {
		in.grow()
	}
	in.buf[(in.start+in.count)%len(in.buf)] = inflight{index: index, bytes: bytes}
	in.count++
	in.bytes += bytes
}

// grow doubles the ring (up to maxCount) so idle followers cost little.
func (in *inflights) grow() {
	size := min(max(2*len(in.buf), 4), in.maxCount)
	buf := make([]inflight, size)
	for i := 0; i < in.count; i++ {
		buf[i] = in.buf[(in.start+i)%len(in.buf)]
	}
	in.buf, in.start = buf, 0
}

// freeLE forgets every message whose last index is at most index: the
// follower has acknowledged them.
func (in *inflights) freeLE(index uint64) {
	for in.count > 0 {
		first := in.buf[in.start]
		if first.index > index {
			return
		}
		in.bytes -= first.bytes
		in.start = (in.start + 1) % len(in.buf)
		in.count--
	}
	in.start = 0
}

// freeFirstOne forgets the oldest message (a heartbeat answer shows the
// follower is alive, so the window may move even if an answer was lost).
func (in *inflights) freeFirstOne() {
	if in.count > 0 {
		in.freeLE(in.buf[in.start].index)
	}
}

// full reports whether no more messages may be sent.
func (in *inflights) full() bool {
	return in.count >= in.maxCount || (in.maxBytes > 0 && in.bytes >= in.maxBytes)
}

// reset empties the window.
func (in *inflights) reset() { in.start, in.count, in.bytes = 0, 0, 0 }
