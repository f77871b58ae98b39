package store

import "sync/atomic"

// Stats are the /v2/stats/store counters (contract §3), in etcd's field
// order. They count this member's operations, reads included, so they differ
// between members and are not part of snapshots.
type Stats struct {
	GetSuccess              uint64 `json:"getsSuccess"`
	GetFail                 uint64 `json:"getsFail"`
	SetSuccess              uint64 `json:"setsSuccess"`
	SetFail                 uint64 `json:"setsFail"`
	DeleteSuccess           uint64 `json:"deleteSuccess"`
	DeleteFail              uint64 `json:"deleteFail"`
	UpdateSuccess           uint64 `json:"updateSuccess"`
	UpdateFail              uint64 `json:"updateFail"`
	CreateSuccess           uint64 `json:"createSuccess"`
	CreateFail              uint64 `json:"createFail"`
	CompareAndSwapSuccess   uint64 `json:"compareAndSwapSuccess"`
	CompareAndSwapFail      uint64 `json:"compareAndSwapFail"`
	CompareAndDeleteSuccess uint64 `json:"compareAndDeleteSuccess"`
	CompareAndDeleteFail    uint64 `json:"compareAndDeleteFail"`
	ExpireCount             uint64 `json:"expireCount"`
	Watchers                uint64 `json:"watchers"`
}

// op names a counted operation.
type op int

const (
	opGet op = iota
	opSet
	opDelete
	opUpdate
	opCreate
	opCompareAndSwap
	opCompareAndDelete
	numOps
)

// counters are updated atomically, because gets run under the shared lock.
type counters struct {
	success, fail [numOps]atomic.Uint64
	expire        atomic.Uint64
}

func (c *counters) count(o op, ok bool) {
	if ok {
		c.success[o].Add(1)
	} else {
		c.fail[o].Add(1)
	}
}

func (c *counters) expired() { c.expire.Add(1) }

// Stats returns a copy of the counters and the number of watchers now
// registered.
func (s *Store) Stats() Stats {
	c := &s.stats
	st := Stats{
		GetSuccess: c.success[opGet].Load(), GetFail: c.fail[opGet].Load(),
		SetSuccess: c.success[opSet].Load(), SetFail: c.fail[opSet].Load(),
		DeleteSuccess: c.success[opDelete].Load(), DeleteFail: c.fail[opDelete].Load(),
		UpdateSuccess: c.success[opUpdate].Load(), UpdateFail: c.fail[opUpdate].Load(),
		CreateSuccess: c.success[opCreate].Load(), CreateFail: c.fail[opCreate].Load(),
		CompareAndSwapSuccess:   c.success[opCompareAndSwap].Load(),
		CompareAndSwapFail:      c.fail[opCompareAndSwap].Load(),
		CompareAndDeleteSuccess: c.success[opCompareAndDelete].Load(),
		CompareAndDeleteFail:    c.fail[opCompareAndDelete].Load(),
		ExpireCount:             c.expire.Load(),
	}
	s.mu.RLock()
	st.Watchers = uint64(s.watchers.count)
	s.mu.RUnlock()
	return st
}
