// Package vfs is the small file-system interface that the WAL and the
// snapshot files are written through, with two implementations: the real
// one (OS) and an in-memory one (MemFS) that remembers what was fsynced and
// can build the disk images a crash could leave behind.
//
// The interface holds only what durable storage needs: files read and
// written at offsets, fsync of a file and of a directory, atomic rename,
// preallocation and an exclusive lock. Everything else (buffering, paths,
// retry policy) belongs to the callers.
package vfs

import (
	"errors"
	"fmt"
	"io"
)

// FS is a file system. Paths are slash-separated and used as given.
type FS interface {
	// Create creates a new file for reading and writing. It fails if the
	// file exists. The new name is durable only after SyncDir of its
	// directory.
	Create(name string) (File, error)
	// Open opens an existing file read-only.
	Open(name string) (File, error)
	// OpenWrite opens an existing file for reading and writing.
	OpenWrite(name string) (File, error)
	// Rename atomically replaces newname with oldname. The change is
	// durable only after SyncDir of the directory.
	Rename(oldname, newname string) error
	// Remove deletes a file. The change is durable only after SyncDir.
	Remove(name string) error
	// ReadDir returns the names of the entries of dir, sorted.
	ReadDir(dir string) ([]string, error)
	// MkdirAll creates dir and any missing parents.
	MkdirAll(dir string) error
	// SyncDir fsyncs a directory, making the creates, renames and removes
	// done in it durable.
	SyncDir(dir string) error
	// Lock takes an exclusive, non-blocking lock on the file name,
	// creating it if needed. If another holder has it, the error wraps
	// ErrLocked and says who holds it. Closing the result releases it.
	Lock(name string) (io.Closer, error)
}

// File is an open file.
type File interface {
	io.ReaderAt
	io.WriterAt
	// Size returns the current length of the file.
	Size() (int64, error)
	// Truncate changes the length of the file.
	Truncate(size int64) error
	// Preallocate reserves space so that the file is at least size bytes
	// long; the new bytes read as zeros.
	Preallocate(size int64) error
	// Sync makes the file's data and length durable. After Sync fails,
	// the caller must not assume any unsynced write reached the disk, now
	// or after a later Sync that succeeds (see package wal).
	Sync() error
	Close() error
	// Name returns the path the file was opened with.
	Name() string
}

// ErrLocked is returned (wrapped) by FS.Lock when someone else holds the lock.
var ErrLocked = errors.New("vfs: locked by another holder")

// ReadFile reads a whole file.
func ReadFile(fsys FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil {
		return nil, err
	}
	buf := make([]byte, size)
	n, err := f.ReadAt(buf, 0)
	if err != nil && !(errors.Is(err, io.EOF) && int64(n) == size) {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return buf, nil
}

// WriteFileAtomic writes data to name so that after a crash name holds
// either its old content or all of data, never a mix: it writes a
// temporary file, fsyncs it, renames it over name and fsyncs the directory.
func WriteFileAtomic(fsys FS, dir, name string, data []byte) error {
	tmp := name + ".tmp"
	_ = fsys.Remove(tmp) // a stale temp file from a crash
	f, err := fsys.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("fsync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", tmp, err)
	}
	if err := fsys.Rename(tmp, name); err != nil {
		return err
	}
	if err := fsys.SyncDir(dir); err != nil {
		return fmt.Errorf("fsync directory %s: %w", dir, err)
	}
	return nil
}
