package store

import (
	"fmt"
	"time"
)

// The methods a Request can carry.
const (
	MethodPut    = "PUT"
	MethodPost   = "POST"
	MethodDelete = "DELETE"
	MethodGet    = "GET"  // a quorum read, proposed through raft (§1.2 quorum)
	MethodSync   = "SYNC" // the leader's expiry sweep (§1.10)
)

// Request is one v2 keys request as the API layer has parsed and checked it,
// ready to be carried in a raft command and applied on every member. Time is
// the leader's clock when it proposed the request.
type Request struct {
	Method    string
	Namespace Namespace
	Key       string
	Value     string
	Dir       bool
	PrevExist *bool // nil when the parameter was not given
	PrevValue string
	PrevIndex uint64
	TTL       TTL
	Recursive bool
	Sorted    bool
	Time      time.Time
}

// Apply runs r with etcd's dispatch (contract §1.2):
//
// PUT:
//  1. prevExist=true: update, or compareAndSwap when prevValue or prevIndex is
//     given; prevExist=false: create (prevValue is then ignored).
//  2. otherwise prevIndex>0 or a prevValue: compareAndSwap.
//  3. otherwise: set.
//
// POST: create an in-order key under Key. DELETE: compareAndDelete when
// prevValue or prevIndex is given, else delete. GET: get. SYNC: expire the
// keys due at Time, returning the last expire event (nil when none).
//
// Dir only matters to set and create, which then make a directory and ignore
// Value; update and compareAndSwap ignore Dir and use Value, so a value with
// dir=true&prevExist=true is 102 on a directory and updates a file (probed on
// etcd 3.4.23).
func (s *Store) Apply(r *Request) (*Event, error) {
	value := r.Value
	switch r.Method {
	case MethodPut:
		return s.applyPut(r, value)
	case MethodPost:
		return s.Create(r.Namespace, r.Key, r.Dir, value, true, r.TTL, r.Time)
	case MethodDelete:
		if r.PrevIndex > 0 || r.PrevValue != "" {
			return s.CompareAndDelete(r.Namespace, r.Key, r.PrevValue, r.PrevIndex, r.Time)
		}
		return s.Delete(r.Namespace, r.Key, r.Dir, r.Recursive, r.Time)
	case MethodGet:
		return s.Get(r.Namespace, r.Key, r.Recursive, r.Sorted, r.Time)
	case MethodSync:
		events := s.DeleteExpiredKeys(r.Time)
		if len(events) == 0 {
			return nil, nil
		}
		return events[len(events)-1], nil
	}
	return nil, ErrRaftInternal(fmt.Sprintf("store: unknown request method %q", r.Method), s.Index())
}

func (s *Store) applyPut(r *Request, value string) (*Event, error) {
	compare := r.PrevIndex > 0 || r.PrevValue != ""
	switch {
	case r.PrevExist != nil && *r.PrevExist && !compare:
		return s.Update(r.Namespace, r.Key, value, r.TTL, r.Time)
	case r.PrevExist != nil && !*r.PrevExist:
		return s.Create(r.Namespace, r.Key, r.Dir, value, false, r.TTL, r.Time)
	case compare:
		return s.CompareAndSwap(r.Namespace, r.Key, r.PrevValue, r.PrevIndex, value, r.TTL, r.Time)
	}
	return s.Set(r.Namespace, r.Key, r.Dir, value, r.TTL, r.Time)
}
