package store

import (
	"path"
	"sort"
	"strings"
)

// node is one file or directory of a namespace's tree.
//
// Invariants:
//  1. A node is a directory exactly when children is non-nil; a file's value
//     is its data, a directory's value is always "".
//  2. path is the node's full path inside its namespace ("/" for the root),
//     clean, and its last segment is the node's key in parent.children.
//  3. expireAt is 0 for a permanent node; otherwise the node is in the
//     store's TTL heap, and only then.
//  4. createdIndex ≤ modifiedIndex ≤ the store index.
type node struct {
	path          string
	value         string
	createdIndex  uint64
	modifiedIndex uint64
	expireAt      int64 // unix nanoseconds of the expiration; 0 when permanent
	parent        *node
	children      map[string]*node
}

func newFile(p, value string, index uint64, parent *node) *node {
	return &node{path: p, value: value, createdIndex: index, modifiedIndex: index, parent: parent}
}

func newDir(p string, index uint64, parent *node) *node {
	return &node{path: p, createdIndex: index, modifiedIndex: index, parent: parent,
		children: make(map[string]*node)}
}

func (n *node) isDir() bool { return n.children != nil }

// name is the node's last path segment; it shares its bytes with path.
func (n *node) name() string { return n.path[strings.LastIndexByte(n.path, '/')+1:] }

// displayKey is the key shown in JSON and in error causes: the path, except
// that the root shows as "" so omitempty drops it (§1.4: the root node has no
// key).
func (n *node) displayKey() string {
	if n.parent == nil {
		return ""
	}
	return n.path
}

// isHiddenName reports whether a path segment is hidden (§1.7).
func isHiddenName(name string) bool { return strings.HasPrefix(name, "_") }

// visibleChildren lists a directory's children without the hidden ones,
// sorted by name when sorted is set and in map order otherwise (§1.4, §1.7).
func (n *node) visibleChildren(sorted bool) []*node {
	out := make([]*node, 0, len(n.children))
	for name, c := range n.children {
		if !isHiddenName(name) {
			out = append(out, c)
		}
	}
	if sorted {
		sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	}
	return out
}

// sortedChildren lists every child, hidden ones included, by name. Dumps and
// snapshots use it so their bytes depend on the state alone.
func (n *node) sortedChildren() []*node {
	out := make([]*node, 0, len(n.children))
	for _, c := range n.children {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

// childPath joins a directory's path and a child's name.
func childPath(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}

// cleanPath makes a key absolute and clean: "a//b/" becomes "/a/b" and ""
// becomes "/" (§1.1: a trailing slash is ignored). A key that is already
// clean is returned as is, without allocating.
func cleanPath(p string) string {
	if strings.HasPrefix(p, "/") {
		return path.Clean(p)
	}
	return path.Clean("/" + p)
}
