package store

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
