package store

import (
	"fmt"
	"time"
)

// Update changes the value and TTL of an existing node, keeping its
// createdIndex (§1.3 "update"). On a directory only the TTL changes and a
// non-empty value is 102; the event shows the new modifiedIndex but the stored
// directory keeps its old one, as etcd does (§1.6, §10.10). The TTL is
// replaced: a permanent ttl clears an existing one. With ttl.Refresh the value
// is kept and no watcher is woken.
func (s *Store) Update(ns Namespace, key, value string, ttl TTL, now time.Time) (*Event, error) {
	return s.write(opUpdate, func() (*Event, *Error) { return s.update(ns, key, value, ttl, now) })
}

func (s *Store) update(ns Namespace, key, value string, ttl TTL, now time.Time) (*Event, *Error) {
	n, expireAt, err := s.writable(ns, key, ttl, now)
	if err != nil {
		return nil, err
	}
	if n.isDir() && value != "" {
		return nil, ErrNotFile(n.path, s.index)
	}
	return s.rewrite(ns, n, ActionUpdate, value, expireAt, ttl.Refresh, now), nil
}

// CompareAndSwap writes value and the TTL to an existing file when its value
// equals prevValue and its modifiedIndex equals prevIndex; an empty prevValue
// or a zero prevIndex is not compared (§1.2). A directory is 102 and a failed
// comparison 101 with the cause of §1.6. createdIndex is kept.
func (s *Store) CompareAndSwap(ns Namespace, key, prevValue string, prevIndex uint64, value string,
	ttl TTL, now time.Time) (*Event, error) {
	return s.write(opCompareAndSwap, func() (*Event, *Error) {
		return s.compareAndSwap(ns, key, prevValue, prevIndex, value, ttl, now)
	})
}

func (s *Store) compareAndSwap(ns Namespace, key, prevValue string, prevIndex uint64, value string,
	ttl TTL, now time.Time) (*Event, *Error) {
	n, expireAt, err := s.writable(ns, key, ttl, now)
	if err != nil {
		return nil, err
	}
	if n.isDir() {
		return nil, ErrNotFile(n.path, s.index)
	}
	if cause := compareFailure(n, prevValue, prevIndex); cause != "" {
		return nil, ErrTestFailed(cause, s.index)
	}
	return s.rewrite(ns, n, ActionCompareAndSwap, value, expireAt, ttl.Refresh, now), nil
}

// writable finds the existing, non-root node an update or compare-and-swap
// writes to, and the expiration its ttl gives.
func (s *Store) writable(ns Namespace, key string, ttl TTL, now time.Time) (*node, int64, *Error) {
	root, expireAt, err := s.begin(ns, ttl, now)
	if err != nil {
		return nil, 0, err
	}
	p := cleanPath(key)
	if p == "/" {
		return nil, 0, ErrRootROnly(s.index)
	}
	n, err := s.lookup(root, p)
	if err != nil {
		return nil, 0, err
	}
	return n, expireAt, nil
}

// rewrite changes n in place with the next index and records the event.
func (s *Store) rewrite(ns Namespace, n *node, action, value string, expireAt int64, refresh bool, now time.Time) *Event {
	next := s.index + 1
	w := new(writeEvent)
	prev := n.externInto(&w.prev, now)
	if !n.isDir() {
		if refresh {
			value = n.value
		}
		n.value = value
		n.modifiedIndex = next
	}
	s.setExpiration(n, expireAt)
	s.index = next
	shown := n.externInto(&w.node, now)
	shown.ModifiedIndex = next
	w.ev = Event{Action: action, Node: shown, PrevNode: prev, EtcdIndex: next, Refresh: refresh, ns: ns}
	s.record(&w.ev)
	return &w.ev
}

// compareFailure is "" when n passes the comparison, and otherwise the 101
// cause: "[prevValue != value]", "[prevIndex != modifiedIndex]", or both
// separated by a space (§1.6, probed on etcd 3.4.23:
// "[x != 1] [3 != 10]").
func compareFailure(n *node, prevValue string, prevIndex uint64) string {
	valueOK := prevValue == "" || prevValue == n.value
	indexOK := prevIndex == 0 || prevIndex == n.modifiedIndex
	switch {
	case valueOK && indexOK:
		return ""
	case !valueOK && !indexOK:
		return fmt.Sprintf("[%s != %s] [%d != %d]", prevValue, n.value, prevIndex, n.modifiedIndex)
	case !valueOK:
		return fmt.Sprintf("[%s != %s]", prevValue, n.value)
	default:
		return fmt.Sprintf("[%d != %d]", prevIndex, n.modifiedIndex)
	}
}
