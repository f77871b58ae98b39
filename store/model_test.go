package store

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// model is a small, independent reading of contract §1 used to check the
// store: a map of files plus a map of directories, both keyed by full path,
// with no tree, no heap and no history. It is written from the contract, not
// from the store's code.
type model struct {
	index uint64
	nodes map[string]*mnode // every node but the root; the root is implied
}

type mnode struct {
	dir               bool
	value             string
	created, modified uint64
	expireAt          int64 // 0: permanent
}

// mresult is what an operation gave: an error code and cause, or the
// event's essentials.
type mresult struct {
	code           int
	cause          string
	action, key    string
	index, created uint64
	value          string
	dir            bool
	hasPrev        bool
	prevValue      string
	prevModified   uint64
}

func newModel() *model { return &model{nodes: map[string]*mnode{}} }

func mparent(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i == 0 {
		return "/"
	}
	return p[:i]
}

// prefixes lists "/a", "/a/b", ... for "/a/b/c", ending with p itself.
func prefixes(p string) []string {
	var out []string
	for i := 1; i < len(p); i++ {
		if p[i] == '/' {
			out = append(out, p[:i])
		}
	}
	if p != "/" {
		out = append(out, p)
	}
	return out
}

func (m *model) fail(code int, cause string) mresult { return mresult{code: code, cause: cause} }

// find is the model's get: the node at p, or the error naming the first
// missing component or the file in the way (§1.6).
func (m *model) find(p string) (*mnode, *mresult) {
	if p == "/" {
		return &mnode{dir: true}, nil
	}
	ps := prefixes(p)
	for i, q := range ps {
		n, ok := m.nodes[q]
		if !ok {
			r := m.fail(EcodeKeyNotFound, q)
			return nil, &r
		}
		if !n.dir && i < len(ps)-1 {
			r := m.fail(EcodeNotDir, q)
			return nil, &r
		}
	}
	return m.nodes[p], nil
}

func (m *model) hasChildren(p string) bool {
	for q := range m.nodes {
		if mparent(q) == p {
			return true
		}
	}
	return false
}

func (m *model) removeTree(p string) {
	for q := range m.nodes {
		if q == p || strings.HasPrefix(q, p+"/") {
			delete(m.nodes, q)
		}
	}
}

func (m *model) expireAt(ttl TTL, now time.Time) (int64, bool) {
	if !ttl.Set {
		return 0, true
	}
	if ttl.Seconds > 1<<40 {
		return 0, false
	}
	return now.UnixNano() + int64(ttl.Seconds)*int64(time.Second), true
}

func (m *model) ok(action, key string, n *mnode, prev *mnode) mresult {
	r := mresult{action: action, key: key, index: m.index, created: n.created, value: n.value, dir: n.dir}
	if prev != nil {
		r.hasPrev, r.prevValue, r.prevModified = true, prev.value, prev.modified
	}
	return r
}

// create puts a new node at p, making missing parents, for set, create and
// POST.
func (m *model) create(action, p string, dir bool, value string, replace bool, exp int64) mresult {
	if p == "/" {
		return m.fail(EcodeRootROnly, "/")
	}
	for _, q := range prefixes(mparent(p)) {
		if n, ok := m.nodes[q]; ok && !n.dir {
			return m.fail(EcodeNotDir, q)
		}
	}
	old := m.nodes[p]
	if old != nil && !replace {
		return m.fail(EcodeNodeExist, p)
	}
	if old != nil && old.dir {
		return m.fail(EcodeNotFile, p)
	}
	m.index++
	for _, q := range prefixes(mparent(p)) {
		if _, ok := m.nodes[q]; !ok {
			m.nodes[q] = &mnode{dir: true, created: m.index, modified: m.index}
		}
	}
	if dir {
		value = ""
	}
	n := &mnode{dir: dir, value: value, created: m.index, modified: m.index, expireAt: exp}
	m.nodes[p] = n
	return m.ok(action, p, n, old)
}

func (m *model) set(p string, dir bool, value string, ttl TTL, now time.Time) mresult {
	exp, ok := m.expireAt(ttl, now)
	if !ok {
		return m.fail(EcodeTTLNaN, "")
	}
	old, err := m.find(p)
	if err != nil && (err.code != EcodeKeyNotFound || ttl.Refresh) {
		return *err
	}
	if ttl.Refresh {
		value = old.value
	}
	return m.create(ActionSet, p, dir, value, true, exp)
}

func (m *model) createOp(p string, dir bool, value string, unique bool, ttl TTL, now time.Time) mresult {
	exp, ok := m.expireAt(ttl, now)
	if !ok {
		return m.fail(EcodeTTLNaN, "")
	}
	if unique {
		p = strings.TrimSuffix(p, "/") + "/" + fmt.Sprintf("%020d", m.index+1)
	}
	return m.create(ActionCreate, p, dir, value, false, exp)
}

// rewrite is update and compareAndSwap: prevValue/prevIndex are compared
// only for compareAndSwap.
func (m *model) rewrite(cas bool, p, pv string, pi uint64, value string, ttl TTL, now time.Time) mresult {
	exp, ok := m.expireAt(ttl, now)
	if !ok {
		return m.fail(EcodeTTLNaN, "")
	}
	if p == "/" {
		return m.fail(EcodeRootROnly, "/")
	}
	n, err := m.find(p)
	if err != nil {
		return *err
	}
	action := ActionUpdate
	if cas {
		action = ActionCompareAndSwap
		if n.dir {
			return m.fail(EcodeNotFile, p)
		}
		if cause := mcompare(n, pv, pi); cause != "" {
			return m.fail(EcodeTestFailed, cause)
		}
	} else if n.dir && value != "" {
		return m.fail(EcodeNotFile, p)
	}
	prev := *n
	m.index++
	if !n.dir {
		if !ttl.Refresh {
			n.value = value
		}
		n.modified = m.index
	}
	n.expireAt = exp
	return m.ok(action, p, n, &prev)
}

func mcompare(n *mnode, pv string, pi uint64) string {
	var parts []string
	if pv != "" && pv != n.value {
		parts = append(parts, fmt.Sprintf("[%s != %s]", pv, n.value))
	}
	if pi != 0 && pi != n.modified {
		parts = append(parts, fmt.Sprintf("[%d != %d]", pi, n.modified))
	}
	return strings.Join(parts, " ")
}

func (m *model) delete(p string, dir, recursive bool) mresult {
	if p == "/" {
		return m.fail(EcodeRootROnly, "/")
	}
	n, err := m.find(p)
	if err != nil {
		return *err
	}
	if n.dir && !dir && !recursive {
		return m.fail(EcodeNotFile, p)
	}
	if n.dir && !recursive && m.hasChildren(p) {
		return m.fail(EcodeDirNotEmpty, p)
	}
	return m.removeOp(ActionDelete, p, n)
}

func (m *model) compareAndDelete(p, pv string, pi uint64) mresult {
	n, err := m.find(p)
	if err != nil {
		return *err
	}
	if n.dir {
		if p == "/" {
			p = ""
		}
		return m.fail(EcodeNotFile, p)
	}
	if cause := mcompare(n, pv, pi); cause != "" {
		return m.fail(EcodeTestFailed, cause)
	}
	return m.removeOp(ActionCompareAndDelete, p, n)
}

func (m *model) removeOp(action, p string, n *mnode) mresult {
	prev := *n
	m.index++
	m.removeTree(p)
	return mresult{action: action, key: p, index: m.index, created: prev.created, dir: prev.dir,
		hasPrev: true, prevValue: prev.value, prevModified: prev.modified}
}

// expire removes, earliest first and ties by path, every node due at now.
func (m *model) expire(now time.Time) []mresult {
	var due []string
	for p, n := range m.nodes {
		if n.expireAt != 0 && n.expireAt <= now.UnixNano() {
			due = append(due, p)
		}
	}
	sort.Slice(due, func(i, j int) bool {
		a, b := m.nodes[due[i]], m.nodes[due[j]]
		if a.expireAt != b.expireAt {
			return a.expireAt < b.expireAt
		}
		return due[i] < due[j]
	})
	var out []mresult
	for _, p := range due {
		if n, ok := m.nodes[p]; ok {
			out = append(out, m.removeOp(ActionExpire, p, n))
		}
	}
	return out
}

// render is the model's get: the node at p as NodeExtern, listing a
// directory's visible children sorted by key, one level or all (§1.4, §1.7).
func (m *model) render(p string, n *mnode, recursive, top bool, now time.Time) *NodeExtern {
	e := &NodeExtern{Key: p, Dir: n.dir, ModifiedIndex: n.modified, CreatedIndex: n.created}
	if p == "/" {
		e.Key = ""
	}
	if !n.dir {
		v := n.value
		e.Value = &v
	}
	if n.expireAt != 0 {
		t := time.Unix(0, n.expireAt).UTC()
		e.Expiration = &t
		left := n.expireAt - now.UnixNano()
		if left > 0 {
			e.TTL = (left + int64(time.Second) - 1) / int64(time.Second)
		} else {
			e.TTL = left / int64(time.Second)
		}
	}
	if !n.dir || (!top && !recursive) {
		return e
	}
	var names []string
	for q := range m.nodes {
		if mparent(q) == p && !strings.HasPrefix(q[strings.LastIndexByte(q, '/')+1:], "_") {
			names = append(names, q)
		}
	}
	sort.Strings(names)
	for _, q := range names {
		e.Nodes = append(e.Nodes, m.render(q, m.nodes[q], recursive, false, now))
	}
	return e
}
