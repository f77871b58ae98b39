package vfs

import (
	"errors"
	"io"
	"io/fs"
)

// memFile is an open MemFS file.
type memFile struct {
	fs       *MemFS
	ino      *inode
	name     string
	writable bool
	closed   bool
}

var errClosed = errors.New("file already closed")

func (f *memFile) check(op string, write bool) error {
	if f.closed {
		return &fs.PathError{Op: op, Path: f.name, Err: errClosed}
	}
	if write && !f.writable {
		return &fs.PathError{Op: op, Path: f.name, Err: fs.ErrPermission}
	}
	return nil
}

func (f *memFile) Name() string { return f.name }

func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("read", false); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: fs.ErrInvalid}
	}
	if off >= int64(len(f.ino.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.ino.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *memFile) WriteAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	op, err := f.fs.begin(OpWrite, f.name)
	if err == nil {
		err = f.check("write", true)
	}
	if err == nil && off < 0 {
		err = &fs.PathError{Op: "write", Path: f.name, Err: fs.ErrInvalid}
	}
	if err == nil {
		w := fileOp{off: off, data: append([]byte(nil), p...)}
		f.ino.data = w.apply(f.ino.data)
		f.ino.pending = append(f.ino.pending, w)
	}
	if err := f.fs.end(op, err); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (f *memFile) Size() (int64, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.check("stat", false); err != nil {
		return 0, err
	}
	return int64(len(f.ino.data)), nil
}

func (f *memFile) resize(kind OpKind, size int64, growOnly bool) error {
	f.fs.mu.Lock()
	op, err := f.fs.begin(kind, f.name)
	if err == nil {
		err = f.check(kind.String(), true)
	}
	if err == nil && size < 0 {
		err = &fs.PathError{Op: kind.String(), Path: f.name, Err: fs.ErrInvalid}
	}
	if err == nil && !(growOnly && size <= int64(len(f.ino.data))) {
		t := fileOp{size: size}
		f.ino.data = t.apply(f.ino.data)
		f.ino.pending = append(f.ino.pending, t)
	}
	return f.fs.end(op, err)
}

func (f *memFile) Truncate(size int64) error    { return f.resize(OpTruncate, size, false) }
func (f *memFile) Preallocate(size int64) error { return f.resize(OpPreallocate, size, true) }

// Sync makes the file's pending changes durable. If the fault hook fails
// it, the pending changes are dropped from the durable model (they stay
// visible to reads), as Linux may do after a writeback error.
func (f *memFile) Sync() error {
	f.fs.mu.Lock()
	op, err := f.fs.begin(OpSync, f.name)
	if err == nil {
		err = f.check("sync", false)
	}
	if err == nil {
		for _, p := range f.ino.pending {
			f.ino.synced = p.apply(f.ino.synced)
		}
	}
	f.ino.pending = nil
	return f.fs.end(op, err)
}

func (f *memFile) Close() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.closed {
		return &fs.PathError{Op: "close", Path: f.name, Err: errClosed}
	}
	f.closed = true
	return nil
}

// apply returns b with the change made (b may be modified in place).
func (w fileOp) apply(b []byte) []byte {
	if w.data == nil {
		return resize(b, w.size)
	}
	end := w.off + int64(len(w.data))
	if end > int64(len(b)) {
		b = resize(b, end)
	}
	copy(b[w.off:], w.data)
	return b
}

func resize(b []byte, size int64) []byte {
	if size <= int64(len(b)) {
		return b[:size]
	}
	if size <= int64(cap(b)) {
		old := len(b)
		b = b[:size]
		clear(b[old:])
		return b
	}
	nb := make([]byte, size, size+size/4)
	copy(nb, b)
	return nb
}
