package vfs

import (
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// MemFS is an in-memory file system that models durability: for every file
// it keeps the content that survives a crash (what the last successful
// fsync covered) apart from the content that reads return, and for every
// directory the names that survive a crash (what the last SyncDir covered)
// apart from the names that exist now. CrashImage builds the disk states a
// crash could leave; SetFault makes calls fail; SetAfter observes every
// call that changes state, so that a test can crash after each one.
//
// The model follows Linux with ext4 in data=ordered mode, including its
// worst case after a failed fsync ("fsyncgate"): the writes that fsync
// failed to make durable stay visible to reads but are lost at a crash,
// even if a later fsync succeeds.
//
// Two simplifications: directories are durable as soon as they are created,
// and a rename is recorded in the directory of its new name (skiff renames
// only within one directory).
//
// MemFS is safe for concurrent use.
type MemFS struct {
	mu      sync.Mutex
	files   map[string]*inode   // the live namespace
	dirs    map[string]bool     // directories, live and durable
	durable map[string]*inode   // the namespace a crash leaves
	renames map[string][]nameOp // per directory, changes since its last SyncDir
	locks   map[string]bool     // held locks
	fault   func(Op) error      // may fail a call; see SetFault
	after   func(Op)            // observes calls; see SetAfter
	seq     int                 // number of state-changing calls so far
}

// inode is one file's content, independent of its names.
type inode struct {
	data    []byte   // what reads see
	synced  []byte   // what survives a crash
	pending []fileOp // changes since the last successful fsync, in order
}

// fileOp is one unsynced change to a file: a write, or a change of length.
type fileOp struct {
	off  int64
	data []byte // nil for a change of length
	size int64  // the new length, for a change of length
}

type nameOpKind int

const (
	nameCreate nameOpKind = iota
	nameRename
	nameRemove
)

// nameOp is one unsynced change to a directory.
type nameOp struct {
	kind     nameOpKind
	name, to string
	ino      *inode
}

// OpKind names a file-system call.
type OpKind int

// The calls that MemFS reports to SetFault and SetAfter.
const (
	OpCreate OpKind = iota
	OpWrite
	OpTruncate
	OpPreallocate
	OpSync
	OpRename
	OpRemove
	OpSyncDir
	OpMkdir
)

var opNames = [...]string{"create", "write", "truncate", "preallocate", "sync", "rename", "remove", "syncdir", "mkdir"}

func (k OpKind) String() string {
	if int(k) < len(opNames) {
		return opNames[k]
	}
	return fmt.Sprintf("OpKind(%d)", int(k))
}

// Op describes one state-changing call.
type Op struct {
	Seq  int // 1 for the first call, counting every call, failed or not
	Kind OpKind
	Path string
}

func (o Op) String() string { return fmt.Sprintf("#%d %s %s", o.Seq, o.Kind, o.Path) }

// NewMemFS returns an empty file system holding the root directory "/" and
// the current directory ".".
func NewMemFS() *MemFS {
	return &MemFS{
		files:   map[string]*inode{},
		dirs:    map[string]bool{"/": true, ".": true},
		durable: map[string]*inode{},
		renames: map[string][]nameOp{},
		locks:   map[string]bool{},
	}
}

// SetFault installs f, which is called before every state-changing call;
// if it returns an error, the call fails with that error and changes
// nothing, except that a failed OpSync loses the file's unsynced writes as
// Linux may (see MemFS). nil removes the fault.
func (m *MemFS) SetFault(f func(Op) error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fault = f
}

// SetAfter installs f, which is called after every state-changing call
// that succeeded, outside MemFS's lock, so f may call CrashImage.
func (m *MemFS) SetAfter(f func(Op)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.after = f
}

// begin starts a state-changing call: it numbers it and asks the fault hook.
// The caller holds m.mu.
func (m *MemFS) begin(kind OpKind, name string) (Op, error) {
	m.seq++
	op := Op{Seq: m.seq, Kind: kind, Path: name}
	if m.fault != nil {
		if err := m.fault(op); err != nil {
			return op, &fs.PathError{Op: kind.String(), Path: name, Err: err}
		}
	}
	return op, nil
}

// end finishes a call begun with begin; it releases m.mu and reports the
// call to the after hook if it succeeded.
func (m *MemFS) end(op Op, err error) error {
	after := m.after
	m.mu.Unlock()
	if err == nil && after != nil {
		after(op)
	}
	return err
}

func clean(name string) string { return filepath.Clean(name) }

func (m *MemFS) checkDir(name string) error {
	if !m.dirs[filepath.Dir(name)] {
		return &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return nil
}

// Create implements FS.
func (m *MemFS) Create(name string) (File, error) {
	name = clean(name)
	m.mu.Lock()
	op, err := m.begin(OpCreate, name)
	if err == nil {
		err = m.checkDir(name)
	}
	if err == nil && (m.files[name] != nil || m.dirs[name]) {
		err = &fs.PathError{Op: "create", Path: name, Err: fs.ErrExist}
	}
	var ino *inode
	if err == nil {
		ino = &inode{}
		m.files[name] = ino
		m.logName(nameOp{kind: nameCreate, name: name, ino: ino})
	}
	if err := m.end(op, err); err != nil {
		return nil, err
	}
	return &memFile{fs: m, ino: ino, name: name, writable: true}, nil
}

func (m *MemFS) logName(op nameOp) {
	dir := filepath.Dir(op.name)
	if op.kind == nameRename {
		dir = filepath.Dir(op.to)
	}
	m.renames[dir] = append(m.renames[dir], op)
}

func (m *MemFS) open(name string, writable bool) (File, error) {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	ino := m.files[name]
	if ino == nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{fs: m, ino: ino, name: name, writable: writable}, nil
}

// Open implements FS.
func (m *MemFS) Open(name string) (File, error) { return m.open(name, false) }

// OpenWrite implements FS.
func (m *MemFS) OpenWrite(name string) (File, error) { return m.open(name, true) }

// Rename implements FS.
func (m *MemFS) Rename(oldname, newname string) error {
	oldname, newname = clean(oldname), clean(newname)
	m.mu.Lock()
	op, err := m.begin(OpRename, oldname+" -> "+newname)
	ino := m.files[oldname]
	if err == nil && ino == nil {
		err = &fs.PathError{Op: "rename", Path: oldname, Err: fs.ErrNotExist}
	}
	if err == nil {
		err = m.checkDir(newname)
	}
	if err == nil {
		delete(m.files, oldname)
		m.files[newname] = ino
		m.logName(nameOp{kind: nameRename, name: oldname, to: newname, ino: ino})
	}
	return m.end(op, err)
}

// Remove implements FS.
func (m *MemFS) Remove(name string) error {
	name = clean(name)
	m.mu.Lock()
	op, err := m.begin(OpRemove, name)
	if err == nil && m.files[name] == nil {
		err = &fs.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	if err == nil {
		delete(m.files, name)
		m.logName(nameOp{kind: nameRemove, name: name})
	}
	return m.end(op, err)
}

// ReadDir implements FS.
func (m *MemFS) ReadDir(dir string) ([]string, error) {
	dir = clean(dir)
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.dirs[dir] {
		return nil, &fs.PathError{Op: "readdir", Path: dir, Err: fs.ErrNotExist}
	}
	var names []string
	for name := range m.files {
		if filepath.Dir(name) == dir {
			names = append(names, filepath.Base(name))
		}
	}
	for name := range m.dirs {
		if name != dir && filepath.Dir(name) == dir {
			names = append(names, filepath.Base(name))
		}
	}
	sort.Strings(names)
	return names, nil
}

// MkdirAll implements FS.
func (m *MemFS) MkdirAll(dir string) error {
	dir = clean(dir)
	m.mu.Lock()
	op, err := m.begin(OpMkdir, dir)
	for d := dir; err == nil && !m.dirs[d]; d = filepath.Dir(d) {
		if m.files[d] != nil {
			err = &fs.PathError{Op: "mkdir", Path: d, Err: fs.ErrExist}
			break
		}
		m.dirs[d] = true
	}
	return m.end(op, err)
}

// SyncDir implements FS: the directory's pending creates, renames and
// removes become durable.
func (m *MemFS) SyncDir(dir string) error {
	dir = clean(dir)
	m.mu.Lock()
	op, err := m.begin(OpSyncDir, dir)
	if err == nil && !m.dirs[dir] {
		err = &fs.PathError{Op: "syncdir", Path: dir, Err: fs.ErrNotExist}
	}
	if err == nil {
		applyNames(m.durable, m.renames[dir])
		delete(m.renames, dir)
	}
	return m.end(op, err)
}

func applyNames(ns map[string]*inode, ops []nameOp) {
	for _, op := range ops {
		switch op.kind {
		case nameCreate:
			ns[op.name] = op.ino
		case nameRename:
			delete(ns, op.name)
			ns[op.to] = op.ino
		case nameRemove:
			delete(ns, op.name)
		}
	}
}

// Lock implements FS. Locks live only in memory; the lock file is created
// like any other file.
func (m *MemFS) Lock(name string) (io.Closer, error) {
	name = clean(name)
	m.mu.Lock()
	held := m.locks[name]
	exists := m.files[name] != nil
	if !held {
		m.locks[name] = true
	}
	m.mu.Unlock()
	if held {
		return nil, fmt.Errorf("%s is held by another user of this MemFS: %w", name, ErrLocked)
	}
	if !exists {
		f, err := m.Create(name)
		if err != nil {
			m.unlock(name)
			return nil, err
		}
		f.Close()
	}
	return closerFunc(func() error { m.unlock(name); return nil }), nil
}

func (m *MemFS) unlock(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.locks, name)
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// Files returns the live names of all files, sorted, for tests and
// debugging.
func (m *MemFS) Files() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var names []string
	for name := range m.files {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// String lists the files with their live and durable lengths.
func (m *MemFS) String() string {
	var b strings.Builder
	for _, name := range m.Files() {
		m.mu.Lock()
		ino := m.files[name]
		fmt.Fprintf(&b, "%s len=%d synced=%d pending=%d\n", name, len(ino.data), len(ino.synced), len(ino.pending))
		m.mu.Unlock()
	}
	return b.String()
}

// Durable returns a copy of what a crash now would leave of the file at its
// live name: the content covered by its last successful fsync. ok is false
// if no such file exists.
func (m *MemFS) Durable(name string) (data []byte, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ino := m.files[clean(name)]
	if ino == nil {
		return nil, false
	}
	return append([]byte(nil), ino.synced...), true
}
