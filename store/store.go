package store

import (
	"fmt"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Namespace selects one of the store's separate key spaces (contract §1.11).
// etcd keeps them under "/0", "/1" and "/2" of one tree; skiff gives each its
// own tree, so a user can never reach membership or auth data through
// /v2/keys and no key or error cause ever needs a prefix trimmed. All
// namespaces share the one store index, the history and the watcher hub.
type Namespace uint8

const (
	// Cluster holds membership: /members/<id>/attributes, raftAttributes,
	// /version (etcd's "/0").
	Cluster Namespace = 0
	// Keys is the user's key space, /v2/keys (etcd's "/1").
	Keys Namespace = 1
	// Auth holds v2 auth: /users/*, /roles/*, /enabled (etcd's "/2").
	Auth Namespace = 2

	numNamespaces = 3
)

// String names the namespace as etcd's internal prefix.
func (ns Namespace) String() string { return fmt.Sprintf("/%d", uint8(ns)) }

// Store is the v2 key space: one tree per namespace, the global index, the
// TTL heap, the event history and the watchers.
//
// Every write is deterministic: it depends only on the store's state and its
// arguments, and an operation that involves time takes it as now (the
// leader's clock, carried in the raft command). The store never reads the
// clock and starts no goroutine (STYLE.md lesson 1).
//
// Invariants:
//  1. index rises by exactly one per successful write, including each expired
//     node and each refresh; a failed write changes nothing.
//  2. Every write appends exactly one event, whose index is the new store
//     index, so the history holds the indexes index-len+1 … index with no gap.
//  3. A node with an expiration is in the TTL heap exactly once.
//
// A Store is safe for concurrent use: writes, watches and Remove take the
// lock; gets share it.
type Store struct {
	mu       sync.RWMutex
	index    uint64
	roots    [numNamespaces]*node
	ttl      ttlHeap
	history  history
	watchers watcherHub
	stats    counters

	// generations says when a namespace may have changed (Generation):
	// a fresh value from nextGeneration whenever it does.
	generations [numNamespaces]atomic.Uint64
}

// nextGeneration hands out generation values, unique across every store in
// the process, so a value cached from one store never matches another.
var nextGeneration atomic.Uint64

// Generation returns a value that changes whenever namespace ns may have
// changed: a write or an expiry in it, or Recovery. A reader that caches
// something derived from ns (v2auth's enabled flag) reads the generation
// first, then the data, and uses its cache only while the generation is
// the same. Generations are never 0.
func (s *Store) Generation(ns Namespace) uint64 { return s.generations[ns].Load() }

// changed gives the namespaces in nss new generations.
func (s *Store) changed(nss ...Namespace) {
	for _, ns := range nss {
		s.generations[ns].Store(nextGeneration.Add(1))
	}
}

// New returns an empty store at index 0.
func New() *Store {
	s := &Store{}
	for i := range s.roots {
		s.roots[i] = newDir("/", 0, nil)
	}
	s.ttl.init()
	s.history.init(historySize)
	s.watchers.init()
	s.changed(Cluster, Keys, Auth)
	return s
}

// Index is the current store index: the index of the last successful write.
func (s *Store) Index() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.index
}

// root returns the namespace's root directory.
func (s *Store) root(ns Namespace) (*node, *Error) {
	if ns >= numNamespaces {
		return nil, ErrRaftInternal(fmt.Sprintf("store: unknown namespace %d", ns), s.index)
	}
	return s.roots[ns], nil
}

// lookup finds the node at the clean path p. A missing node gives 100 whose
// cause is the first missing component, and a file met on the way gives 104
// whose cause is that file (§1.6).
func (s *Store) lookup(root *node, p string) (*node, *Error) {
	n := root
	for rest := p[1:]; rest != ""; {
		var name string
		name, rest, _ = strings.Cut(rest, "/")
		if !n.isDir() {
			return nil, ErrNotDir(n.path, s.index)
		}
		child, ok := n.children[name]
		if !ok {
			return nil, ErrKeyNotFound(childPath(n.path, name), s.index)
		}
		n = child
	}
	return n, nil
}

// makeDirs walks to the directory at the clean path p, creating missing
// directories with the given index (§1.6: missing intermediate directories
// are made by set, create and POST). A file on the way gives 104; the check
// happens before anything is created, because a missing directory can only
// have missing children.
func (s *Store) makeDirs(root *node, p string, index uint64) (*node, *Error) {
	n := root
	for rest := p[1:]; rest != ""; {
		var name string
		var more bool
		name, rest, more = strings.Cut(rest, "/")
		child, ok := n.children[name]
		switch {
		case !ok:
			// The new directory's path is a prefix of p: share its bytes, so
			// a deep key costs memory in proportion to its length only.
			end := len(p) - len(rest)
			if more {
				end-- // leave out the slash before rest
			}
			child = newDir(p[:end], index, n)
			n.children[name] = child
		case !child.isDir():
			return nil, ErrNotDir(child.path, s.index)
		}
		n = child
	}
	return n, nil
}

// detach takes n and its subtree out of the tree and the TTL heap.
func (s *Store) detach(n *node) {
	if n.parent != nil {
		delete(n.parent.children, n.name())
	}
	s.forgetTTLs(n)
}

// forgetTTLs drops n and its descendants from the TTL heap.
func (s *Store) forgetTTLs(n *node) {
	if n.expireAt != 0 {
		s.ttl.remove(n)
	}
	for _, c := range n.children {
		s.forgetTTLs(c)
	}
}

// record keeps e in the history and wakes its watchers; a refresh is kept but
// wakes nobody (§1.2, §1.8).
func (s *Store) record(e *Event) {
	s.changed(e.ns)
	s.history.add(e)
	if !e.Refresh {
		s.watchers.notify(e)
	}
}

// write runs one write under the lock, counts it, and turns a nil *Error
// into a nil error.
func (s *Store) write(o op, f func() (*Event, *Error)) (*Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := f()
	s.stats.count(o, err == nil)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// begin is the start every write with a TTL shares: the namespace's root and
// the expiration the ttl gives (202 when it overflows).
func (s *Store) begin(ns Namespace, ttl TTL, now time.Time) (*node, int64, *Error) {
	root, err := s.root(ns)
	if err != nil {
		return nil, 0, err
	}
	expireAt, err := ttl.expireAt(now, s.index)
	if err != nil {
		return nil, 0, err
	}
	return root, expireAt, nil
}

// splitPath splits a clean, non-root path into its parent directory and name.
func splitPath(p string) (dir, name string) {
	dir, name = path.Split(p)
	return path.Clean(dir), name
}

// removalNode is the node shown by delete, compareAndDelete and expire: key,
// dir, the new modifiedIndex and the old createdIndex, no value (§1.3).
func removalNode(n *node, index uint64) *NodeExtern {
	return &NodeExtern{Key: n.displayKey(), Dir: n.isDir(), ModifiedIndex: index, CreatedIndex: n.createdIndex}
}

// Get returns the node at key, with a listing for a directory: one level, or
// the whole subtree when recursive; sorted by key at every level when sorted
// (§1.3, §1.4). now only computes the remaining ttl shown. The event's
// EtcdIndex is the current store index, which goes in X-Etcd-Index (§1.5).
func (s *Store) Get(ns Namespace, key string, recursive, sorted bool, now time.Time) (*Event, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, err := s.get(ns, key, recursive, sorted, now)
	s.stats.count(opGet, err == nil)
	if err != nil {
		return nil, err
	}
	return e, nil
}

func (s *Store) get(ns Namespace, key string, recursive, sorted bool, now time.Time) (*Event, *Error) {
	root, err := s.root(ns)
	if err != nil {
		return nil, err
	}
	n, err := s.lookup(root, cleanPath(key))
	if err != nil {
		return nil, err
	}
	return &Event{Action: ActionGet, Node: n.externTree(recursive, sorted, now), EtcdIndex: s.index, ns: ns}, nil
}
