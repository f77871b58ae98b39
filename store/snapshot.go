package store

import (
	"encoding/json"
	"hash/fnv"
)

// snapshotVersion is the version of the format Save writes; Recovery refuses
// others. Version 2 lists the nodes flat; version 1 (never released) nested
// them, which a deep enough tree would have made impossible to decode.
const snapshotVersion = 2

// snapshot is the JSON document Save writes (docs/store.md describes it).
// Nodes are listed flat, namespace by namespace, each directory before its
// children and children by name, so equal stores give equal bytes and no
// tree, however deep, nests the JSON.
type snapshot struct {
	Version int           `json:"version"`
	Index   uint64        `json:"index"`
	Nodes   []*savedNode  `json:"nodes"`
	History []*savedEvent `json:"history,omitempty"`
}

// savedNode is one node of a snapshot; the namespace roots are implied.
// ExpireAt is the expiration in unix nanoseconds (0: permanent), exact.
type savedNode struct {
	Namespace     Namespace `json:"ns"`
	Key           string    `json:"key"`
	Dir           bool      `json:"dir,omitempty"`
	Value         string    `json:"value,omitempty"`
	CreatedIndex  uint64    `json:"createdIndex"`
	ModifiedIndex uint64    `json:"modifiedIndex"`
	ExpireAt      int64     `json:"expireAt,omitempty"`
}

// savedEvent is one event of the history, with the fields its JSON form
// leaves out.
type savedEvent struct {
	Namespace Namespace `json:"ns"`
	Refresh   bool      `json:"refresh,omitempty"`
	Event     *Event    `json:"event"`
}

// Save returns the store's state as JSON: the index, every node of every
// namespace and the event history (so that watches from a past index work
// after a restart). Counters and watchers are not saved.
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
	snap := &snapshot{Version: snapshotVersion, Index: s.index, Nodes: []*savedNode{}}
	for i, r := range s.roots {
		snap.Nodes = saveChildren(snap.Nodes, Namespace(i), r)
	}
	if withHistory {
		for _, e := range s.history.events() {
			snap.History = append(snap.History, &savedEvent{Namespace: e.ns, Refresh: e.Refresh, Event: e})
		}
	}
	return snap
}

// saveChildren appends dir's subtree, depth first, children by name.
func saveChildren(out []*savedNode, ns Namespace, dir *node) []*savedNode {
	for _, n := range dir.sortedChildren() {
		out = append(out, &savedNode{Namespace: ns, Key: n.path, Dir: n.isDir(), Value: n.value,
			CreatedIndex: n.createdIndex, ModifiedIndex: n.modifiedIndex, ExpireAt: n.expireAt})
		if n.isDir() {
			out = saveChildren(out, ns, n)
		}
	}
	return out
}
