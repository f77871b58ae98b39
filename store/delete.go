package store

import "time"

// Delete removes the node at key (§1.3 "delete", §1.6). A file needs no flag.
// A directory needs dir (and then must be empty, else 108) or recursive
// (which implies dir); without either it is 102. The root is 107. Watchers on
// the node, on its ancestors (recursive ones) and on any key below a deleted
// directory are woken (§1.8). now only computes the prevNode's ttl.
func (s *Store) Delete(ns Namespace, key string, dir, recursive bool, now time.Time) (*Event, error) {
	return s.write(opDelete, func() (*Event, *Error) { return s.delete(ns, key, dir, recursive, now) })
}

func (s *Store) delete(ns Namespace, key string, dir, recursive bool, now time.Time) (*Event, *Error) {
	root, err := s.root(ns)
	if err != nil {
		return nil, err
	}
	p := cleanPath(key)
	if p == "/" {
		return nil, ErrRootROnly(s.index)
	}
	n, err := s.lookup(root, p)
	if err != nil {
		return nil, err
	}
	if n.isDir() {
		switch {
		case !dir && !recursive:
			return nil, ErrNotFile(p, s.index)
		case !recursive && len(n.children) > 0:
			return nil, ErrDirNotEmpty(p, s.index)
		}
	}
	return s.remove(ns, n, ActionDelete, now), nil
}

// CompareAndDelete removes a file when its value equals prevValue and its
// modifiedIndex equals prevIndex, with the same rules as CompareAndSwap
// (§1.2). A directory is 102; etcd checks that before the root rule, so the
// root gives 102 with no cause (probed on etcd 3.4.23: DELETE
// /v2/keys/?prevValue=x → {"errorCode":102,"message":"Not a file","index":6}).
func (s *Store) CompareAndDelete(ns Namespace, key, prevValue string, prevIndex uint64, now time.Time) (*Event, error) {
	return s.write(opCompareAndDelete, func() (*Event, *Error) {
		return s.compareAndDelete(ns, key, prevValue, prevIndex, now)
	})
}

func (s *Store) compareAndDelete(ns Namespace, key, prevValue string, prevIndex uint64, now time.Time) (*Event, *Error) {
	root, err := s.root(ns)
	if err != nil {
		return nil, err
	}
	n, err := s.lookup(root, cleanPath(key))
	if err != nil {
		return nil, err
	}
	if n.isDir() {
		return nil, ErrNotFile(n.displayKey(), s.index)
	}
	if cause := compareFailure(n, prevValue, prevIndex); cause != "" {
		return nil, ErrTestFailed(cause, s.index)
	}
	return s.remove(ns, n, ActionCompareAndDelete, now), nil
}

// remove takes n and its subtree out with the next index and records the
// event: the node without a value, the old node (without children) as
// prevNode (§1.3).
func (s *Store) remove(ns Namespace, n *node, action string, now time.Time) *Event {
	next := s.index + 1
	e := &Event{Action: action, Node: removalNode(n, next), PrevNode: n.extern(now), EtcdIndex: next, ns: ns}
	s.detach(n)
	s.index = next
	s.record(e)
	return e
}
