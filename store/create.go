package store

import (
	"fmt"
	"time"
)

// Set creates or replaces the node at key: a file holding value, or an empty
// directory when dir is set (§1.3 "set"). Replacing makes a new node, so its
// createdIndex is the new index (§10.3); a directory cannot be replaced (102),
// but a file can be replaced by a directory (§1.6). With ttl.Refresh the
// current value is kept, a missing key is 100, and no watcher is woken (§1.2).
func (s *Store) Set(ns Namespace, key string, dir bool, value string, ttl TTL, now time.Time) (*Event, error) {
	return s.write(opSet, func() (*Event, *Error) { return s.set(ns, key, dir, value, ttl, now) })
}

func (s *Store) set(ns Namespace, key string, dir bool, value string, ttl TTL, now time.Time) (*Event, *Error) {
	root, expireAt, err := s.begin(ns, ttl, now)
	if err != nil {
		return nil, err
	}
	p := cleanPath(key)
	if ttl.Refresh {
		// Only a refresh needs the node first (a missing one is 100). For
		// a plain set, create walks the path anyway and meets a file on the
		// way with the same 104 lookup would give.
		old, err := s.lookup(root, p)
		if err != nil {
			return nil, err
		}
		value = old.value
	}
	e, err := s.create(ns, root, p, dir, value, true, expireAt, ActionSet, now)
	if err != nil {
		return nil, err
	}
	e.Refresh = ttl.Refresh
	s.record(e)
	return e, nil
}

// Create makes a new node at key and fails with 105 if one exists (§1.3
// "create"). With unique set it makes an in-order node under key instead,
// named by the new index padded to 20 digits (§1.9: POST); key is then a
// directory, created if missing, and may be the root.
func (s *Store) Create(ns Namespace, key string, dir bool, value string, unique bool, ttl TTL, now time.Time) (*Event, error) {
	return s.write(opCreate, func() (*Event, *Error) { return s.createOp(ns, key, dir, value, unique, ttl, now) })
}

func (s *Store) createOp(ns Namespace, key string, dir bool, value string, unique bool, ttl TTL, now time.Time) (*Event, *Error) {
	root, expireAt, err := s.begin(ns, ttl, now)
	if err != nil {
		return nil, err
	}
	p := cleanPath(key)
	if unique {
		p = childPath(p, inOrderName(s.index+1))
	}
	e, err := s.create(ns, root, p, dir, value, false, expireAt, ActionCreate, now)
	if err != nil {
		return nil, err
	}
	s.record(e)
	return e, nil
}

// inOrderName is the name of an in-order key made at index (§1.9).
func inOrderName(index uint64) string { return fmt.Sprintf("%020d", index) }

// create makes a file or directory at the clean path p with the next index,
// making missing parent directories. An existing node is replaced when
// replace is set (unless it is a directory: 102) and is otherwise 105. The
// root is read-only (107, cause "/"). The caller records the event.
func (s *Store) create(ns Namespace, root *node, p string, dir bool, value string, replace bool,
	expireAt int64, action string, now time.Time) (*Event, *Error) {
	if p == "/" {
		return nil, ErrRootROnly(s.index)
	}
	next := s.index + 1
	dirPath, name := splitPath(p)
	parent, err := s.makeDirs(root, dirPath, next)
	if err != nil {
		return nil, err
	}
	old, exists := parent.children[name]
	if exists && !replace {
		return nil, ErrNodeExist(p, s.index)
	}
	if exists && old.isDir() {
		return nil, ErrNotFile(p, s.index)
	}
	w := new(writeEvent)
	var prev *NodeExtern
	var n *node
	switch {
	case exists && !dir:
		// A file replaces a file: the node is reused in place, as a new node
		// in all but identity (the store hands out no node pointers, and
		// setExpiration moves it in the TTL heap).
		prev = old.externInto(&w.prev, now)
		n = old
		n.value, n.createdIndex, n.modifiedIndex = value, next, next
	case exists:
		prev = old.externInto(&w.prev, now)
		s.forgetTTLs(old) // a file: the directory takes its place in parent.children below
		n = newDir(p, next, parent)
	case dir:
		n = newDir(p, next, parent)
	default:
		n = newFile(p, value, next, parent)
	}
	parent.children[name] = n
	s.setExpiration(n, expireAt)
	s.index = next
	w.ev = Event{Action: action, Node: n.externInto(&w.node, now), PrevNode: prev, EtcdIndex: next, ns: ns}
	return &w.ev, nil
}
