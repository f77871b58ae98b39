// Package wal is skiff's write-ahead log: the durable record of a member's
// raft log and hard state (Figure 2, "persistent state on all servers"),
// written before the member acknowledges anything.
//
// # Using it
//
// A member that finds no WAL (Exist) bootstraps and calls Create with its
// metadata (Metadata: member and cluster IDs). A member that restarts
// loads its newest snapshot (package snap, restricted to the markers
// ValidSnapshots reports) and calls Open at that snapshot, then ReadAll,
// which returns the metadata, the last hard state and the entries after
// the snapshot. Then, once per raft Ready:
//
//	w.Save(rd.HardState, rd.Entries) // one write, one fsync if MustSync
//
// before sending messages or applying anything. After a snapshot file is
// durable: SaveSnapshot with its index and term, then ReleaseLockTo(index)
// so old segments can go. Close at shutdown.
//
// # On disk
//
// The log is a directory of segments named <seq>-<index>.wal, each
// preallocated (DefaultSegmentSize) and holding 8-byte-aligned frames
// (record.go) whose CRC-32C is chained from frame to frame and from segment
// to segment. docs/storage.md describes the format and the recovery policy
// in full.
//
// # Failures
//
// A failed write or fsync makes the WAL refuse every later write
// (ErrFailed): after a failed fsync the kernel may have dropped the data
// while reads still show it, so retrying would acknowledge writes that are
// not on disk. The member must stop; on restart, ReadAll reads what is
// really there. A torn write at the end of the log, which a crash leaves,
// is cut off at ReadAll (kept in a .broken file); any other damage is a
// CorruptError naming the file and offset, and the member must not start.
//
// # Files
//
//	wal.go      WAL, Options, Create, Exist
//	open.go     Open, OpenForRead, ReadAll
//	save.go     Save, SaveSnapshot, MustSync, cutting segments
//	release.go  ReleaseLockTo, Close, CloseWithoutSync, ValidSnapshots
//	metadata.go Metadata, the server's member and cluster IDs
//	errors.go   sentinel errors and CorruptError
//	dump.go     Dump: a WAL record by record, for debugging
//	record.go   the frame format and encoder
//	decode.go   reading frames, telling torn writes from corruption
//	replay.go   rebuilding the log from records
//	repair.go   cutting a torn tail, preparing the tail for appends
//	segment.go  segment names and listing
//	pipeline.go preparing the next segment ahead of time
//	vfs/        the file-system interface and MemFS, the crash model
package wal
