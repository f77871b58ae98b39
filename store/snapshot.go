package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
)

// snapshotVersion is the version of the format Save writes; Recovery refuses
// others.
const snapshotVersion = 1

// snapshot is the JSON document Save writes (docs/store.md describes it).
// Children are sorted by name, so equal stores give equal bytes.
type snapshot struct {
	Version    int           `json:"version"`
	Index      uint64        `json:"index"`
	Namespaces []*savedNode  `json:"namespaces"`
	History    []*savedEvent `json:"history,omitempty"`
}

// savedNode is one node of a snapshot. ExpireAt is the expiration in unix
// nanoseconds (0: permanent), exact to the nanosecond.
type savedNode struct {
	Key           string       `json:"key"`
	Dir           bool         `json:"dir,omitempty"`
	Value         string       `json:"value,omitempty"`
	CreatedIndex  uint64       `json:"createdIndex"`
	ModifiedIndex uint64       `json:"modifiedIndex"`
	ExpireAt      int64        `json:"expireAt,omitempty"`
	Nodes         []*savedNode `json:"nodes,omitempty"`
}

// savedEvent is one event of the history, with the fields its JSON form
// leaves out.
type savedEvent struct {
	Namespace Namespace `json:"ns"`
	Refresh   bool      `json:"refresh,omitempty"`
	Event     *Event    `json:"event"`
}

// Save returns the store's state as JSON: the index, every namespace's tree
// and the event history (so that watches from a past index work after a
// restart). Counters and watchers are not saved.
func (s *Store) Save() ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return json.Marshal(s.snapshot(true))
}

// Dump returns the state without the history, as indented JSON whose bytes
// depend on nothing else: cluster tests compare members with it.
func (s *Store) Dump() []byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, err := json.MarshalIndent(s.snapshot(false), "", " ")
	if err != nil {
		panic("store: dump: " + err.Error()) // plain structs always marshal
	}
	return b
}

// Hash is a 64-bit FNV-1a hash of Dump.
func (s *Store) Hash() uint64 {
	h := fnv.New64a()
	h.Write(s.Dump())
	return h.Sum64()
}

func (s *Store) snapshot(withHistory bool) *snapshot {
	snap := &snapshot{Version: snapshotVersion, Index: s.index}
	for _, r := range s.roots {
		snap.Namespaces = append(snap.Namespaces, saveNode(r))
	}
	if withHistory {
		for _, e := range s.history.events() {
			snap.History = append(snap.History, &savedEvent{Namespace: e.ns, Refresh: e.Refresh, Event: e})
		}
	}
	return snap
}

func saveNode(n *node) *savedNode {
	sn := &savedNode{Key: n.path, Dir: n.isDir(), Value: n.value, CreatedIndex: n.createdIndex,
		ModifiedIndex: n.modifiedIndex, ExpireAt: n.expireAt}
	for _, c := range n.sortedChildren() {
		sn.Nodes = append(sn.Nodes, saveNode(c))
	}
	return sn
}

// Recovery replaces the store's state with a snapshot made by Save. Keys
// whose expiration has passed stay until the next DeleteExpiredKeys, exactly
// as on a member that never stopped. Every current watch ends (its channel is
// closed); clients watch again. On error the store is unchanged.
func (s *Store) Recovery(data []byte) error {
	fresh, err := decodeSnapshot(data)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.watchers.dropAll()
	s.index, s.roots, s.ttl, s.history = fresh.index, fresh.roots, fresh.ttl, fresh.history
	return nil
}

// decodeSnapshot builds a watcher-less store from Save's bytes.
func decodeSnapshot(data []byte) (*Store, error) {
	var snap snapshot
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&snap); err != nil {
		return nil, fmt.Errorf("store: decode snapshot: %w", err)
	}
	if snap.Version != snapshotVersion {
		return nil, fmt.Errorf("store: snapshot version %d, want %d", snap.Version, snapshotVersion)
	}
	if len(snap.Namespaces) != numNamespaces {
		return nil, fmt.Errorf("store: snapshot has %d namespaces, want %d", len(snap.Namespaces), numNamespaces)
	}
	if len(snap.History) > historySize || uint64(len(snap.History)) > snap.Index {
		return nil, fmt.Errorf("store: snapshot history of %d events does not fit index %d", len(snap.History), snap.Index)
	}
	s := New()
	s.index = snap.Index
	for i, sn := range snap.Namespaces {
		if sn == nil || sn.Key != "/" || !sn.Dir {
			return nil, fmt.Errorf("store: snapshot namespace %d has no root directory", i)
		}
		if err := s.loadChildren(s.roots[i], Namespace(i), sn); err != nil {
			return nil, err
		}
	}
	for i, se := range snap.History {
		if err := checkSavedEvent(se, snap.Index-uint64(len(snap.History)-1-i)); err != nil {
			return nil, err
		}
		se.Event.ns, se.Event.Refresh = se.Namespace, se.Refresh
		s.history.add(se.Event)
	}
	return s, nil
}

// loadChildren rebuilds dir's children from a snapshot node, checking that
// every path fits the tree.
func (s *Store) loadChildren(dir *node, ns Namespace, sn *savedNode) error {
	for _, c := range sn.Nodes {
		if c == nil {
			return fmt.Errorf("store: snapshot has a null node under %s", dir.path)
		}
		dirPath, name := splitPath(c.Key)
		if dirPath != dir.path || name == "" || cleanPath(c.Key) != c.Key || dir.children[name] != nil {
			return fmt.Errorf("store: snapshot node %q does not belong under %q", c.Key, dir.path)
		}
		if c.ModifiedIndex > s.index || c.CreatedIndex > c.ModifiedIndex {
			return fmt.Errorf("store: snapshot node %q has indexes %d/%d past index %d",
				c.Key, c.CreatedIndex, c.ModifiedIndex, s.index)
		}
		n := &node{path: c.Key, value: c.Value, createdIndex: c.CreatedIndex, modifiedIndex: c.ModifiedIndex, parent: dir}
		if c.Dir {
			n.children = make(map[string]*node)
		}
		dir.children[name] = n
		if c.ExpireAt != 0 {
			n.expireAt = c.ExpireAt
			s.ttl.add(n, ns)
		}
		if !c.Dir && len(c.Nodes) > 0 {
			return fmt.Errorf("store: snapshot file %q has children", c.Key)
		}
		if c.Dir && c.Value != "" {
			return fmt.Errorf("store: snapshot directory %q has a value", c.Key)
		}
		if err := s.loadChildren(n, ns, c); err != nil {
			return err
		}
	}
	return nil
}

// checkSavedEvent checks one history event of a snapshot.
func checkSavedEvent(se *savedEvent, want uint64) error {
	if se == nil || se.Event == nil || se.Event.Node == nil || se.Namespace >= numNamespaces {
		return fmt.Errorf("store: snapshot history has a malformed event")
	}
	if se.Event.Node.ModifiedIndex != want {
		return fmt.Errorf("store: snapshot history event has index %d, want %d", se.Event.Node.ModifiedIndex, want)
	}
	se.Event.EtcdIndex = want
	return nil
}

// Clone returns an independent copy of the store's state: index, trees and
// history (events are shared, being read-only), without watchers or
// counters.
func (s *Store) Clone() *Store {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := New()
	c.index = s.index
	for i, r := range s.roots {
		c.copyChildren(c.roots[i], r, Namespace(i))
	}
	for _, e := range s.history.events() {
		c.history.add(e)
	}
	return c
}

func (s *Store) copyChildren(dst, src *node, ns Namespace) {
	for name, c := range src.children {
		n := &node{path: c.path, value: c.value, createdIndex: c.createdIndex, modifiedIndex: c.modifiedIndex, parent: dst}
		if c.isDir() {
			n.children = make(map[string]*node, len(c.children))
			s.copyChildren(n, c, ns)
		}
		dst.children[name] = n
		if c.expireAt != 0 {
			n.expireAt = c.expireAt
			s.ttl.add(n, ns)
		}
	}
}
