package store

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Recovery replaces the store's state with a snapshot made by Save. Keys
// whose expiration has passed stay until the next DeleteExpiredKeys, exactly
// as on a member that never stopped. Every current watch ends (its channel is
// closed); clients watch again. A snapshot that is malformed or breaks an
// invariant is refused and the store is left unchanged.
func (s *Store) Recovery(data []byte) error {
	fresh, err := decodeSnapshot(data)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.watchers.dropAll()
	s.index, s.roots, s.ttl, s.history = fresh.index, fresh.roots, fresh.ttl, fresh.history
	s.changed(Cluster, Keys, Auth)
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
	if len(snap.History) > historySize || uint64(len(snap.History)) > snap.Index {
		return nil, fmt.Errorf("store: snapshot history of %d events does not fit index %d", len(snap.History), snap.Index)
	}
	s := New()
	s.index = snap.Index
	if err := s.loadNodes(snap.Nodes); err != nil {
		return nil, err
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

// loadNodes rebuilds the trees from the flat list, in which every directory
// comes before its children.
func (s *Store) loadNodes(nodes []*savedNode) error {
	dirs := map[watchKey]*node{}
	for i := range s.roots {
		dirs[watchKey{Namespace(i), "/"}] = s.roots[i]
	}
	for _, sn := range nodes {
		if err := s.checkSavedNode(sn); err != nil {
			return err
		}
		dirPath, name := splitPath(sn.Key)
		parent := dirs[watchKey{sn.Namespace, dirPath}]
		if parent == nil {
			return fmt.Errorf("store: snapshot node %q comes before its directory", sn.Key)
		}
		if parent.children[name] != nil {
			return fmt.Errorf("store: snapshot node %q appears twice", sn.Key)
		}
		n := &node{path: sn.Key, value: sn.Value, createdIndex: sn.CreatedIndex, modifiedIndex: sn.ModifiedIndex, parent: parent}
		if sn.Dir {
			n.children = make(map[string]*node)
			dirs[watchKey{sn.Namespace, sn.Key}] = n
		}
		parent.children[name] = n
		if sn.ExpireAt != 0 {
			n.expireAt = sn.ExpireAt
			s.ttl.add(n, sn.Namespace)
		}
	}
	return nil
}

// checkSavedNode checks what one snapshot node can be checked for alone.
func (s *Store) checkSavedNode(sn *savedNode) error {
	switch {
	case sn == nil:
		return fmt.Errorf("store: snapshot has a null node")
	case sn.Namespace >= numNamespaces:
		return fmt.Errorf("store: snapshot node %q is in unknown namespace %d", sn.Key, sn.Namespace)
	case sn.Key == "/" || cleanPath(sn.Key) != sn.Key:
		return fmt.Errorf("store: snapshot node key %q is not a clean path below the root", sn.Key)
	case sn.ModifiedIndex > s.index || sn.CreatedIndex > sn.ModifiedIndex:
		return fmt.Errorf("store: snapshot node %q has indexes %d/%d past index %d",
			sn.Key, sn.CreatedIndex, sn.ModifiedIndex, s.index)
	case sn.Dir && sn.Value != "":
		return fmt.Errorf("store: snapshot directory %q has a value", sn.Key)
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
