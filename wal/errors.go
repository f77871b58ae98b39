package wal

import (
	"errors"
	"fmt"
)

// Sentinel errors; match them with errors.Is.
var (
	// ErrExist: Create found a WAL already in the directory.
	ErrExist = errors.New("wal: a WAL already exists in the directory")
	// ErrNotFound: Open found no WAL segment in the directory.
	ErrNotFound = errors.New("wal: no WAL segment found")
	// ErrCorrupt: a record failed its checks where a crash cannot explain
	// it. The error is a *CorruptError naming the file and offset.
	ErrCorrupt = errors.New("wal: corrupt")
	// ErrSnapshotNotFound: the WAL holds no marker for the snapshot given
	// to Open, or its segments up to that snapshot were released.
	ErrSnapshotNotFound = errors.New("wal: snapshot marker not found")
	// ErrSnapshotMismatch: the WAL's marker for the snapshot's index has
	// another term.
	ErrSnapshotMismatch = errors.New("wal: snapshot marker term does not match")
	// ErrMetadataConflict: two segments carry different metadata.
	ErrMetadataConflict = errors.New("wal: conflicting metadata")
	// ErrFailed: a write or fsync failed earlier; the WAL refuses every
	// further write. The member must stop; on restart it recovers from
	// what reached the disk.
	ErrFailed = errors.New("wal: an earlier write or fsync failed")
	// ErrNotRead: Save or SaveSnapshot was called on an opened WAL before
	// ReadAll.
	ErrNotRead = errors.New("wal: ReadAll must be called before writing to an opened WAL")
	// ErrReadOnly: a write was attempted on a WAL opened with OpenForRead.
	ErrReadOnly = errors.New("wal: opened read-only")
	// ErrClosed: the WAL was closed.
	ErrClosed = errors.New("wal: closed")
	// ErrEntryGap: Save was given entries that do not follow the log.
	// Nothing was written.
	ErrEntryGap = errors.New("wal: entries do not follow the log")
	// ErrTooLarge: a record exceeds MaxRecordSize.
	ErrTooLarge = errors.New("wal: record too large")
)

// CorruptError says where the WAL is corrupt. errors.Is(err, ErrCorrupt)
// holds for it.
type CorruptError struct {
	File   string
	Offset int64
	Reason string
	Err    error // the underlying decoding error, if any
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("wal: corrupt record in %s at offset %d: %s; "+
		"the log cannot be trusted from there on, so this member must not start: "+
		"replace it (remove it from the cluster and add it back with an empty data dir) or restore it from a backup",
		e.File, e.Offset, e.Reason)
}

// Unwrap returns the underlying decoding error.
func (e *CorruptError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }
