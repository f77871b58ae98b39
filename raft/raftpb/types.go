// Package raftpb defines the data that crosses the boundary of package raft:
// log entries, the persistent hard state, snapshots, configuration changes
// and the messages of the protocol.
//
// Everything here is plain data. The binary encoding in codec.go is the one
// encoding skiff uses for these types: the WAL stores entries and hard state
// with it, snapshot files store snapshot metadata with it, and the peer
// transport sends messages with it.
package raftpb

import "fmt"

// EntryType says how the state machine must interpret an entry's Data.
type EntryType uint8

const (
	// EntryNormal carries an application command (or nothing: the empty
	// entry a new leader appends in its term, §5.4.2 and §8).
	EntryNormal EntryType = 0
	// EntryConfChange carries an encoded ConfChange (thesis §4.1).
	EntryConfChange EntryType = 1
)

func (t EntryType) String() string {
	switch t {
	case EntryNormal:
		return "Normal"
	case EntryConfChange:
		return "ConfChange"
	}
	return fmt.Sprintf("EntryType(%d)", uint8(t))
}

// Entry is one slot of the replicated log (Figure 2: "log[]: each entry
// contains command for state machine, and term when entry was received by
// leader").
type Entry struct {
	Term  uint64
	Index uint64
	Type  EntryType
	Data  []byte
}

// HardState is the state a server must persist before it answers any RPC
// (Figure 2 "Persistent state on all servers", thesis §3.8): currentTerm and
// votedFor. Commit is persisted too, so that a restarted server does not
// report a commit index below one it already acknowledged.
type HardState struct {
	Term   uint64 // currentTerm
	Vote   uint64 // votedFor, 0 for none
	Commit uint64 // commitIndex
}

// IsEmpty reports whether h is the zero hard state.
func (h HardState) IsEmpty() bool { return h == HardState{} }

// ConfState is a cluster configuration: the voting members and the learners
// (non-voting members that receive the log, thesis §4.2.1).
type ConfState struct {
	Voters   []uint64
	Learners []uint64
}

// Equal reports whether c and o list the same members in the same order.
func (c ConfState) Equal(o ConfState) bool {
	return equalIDs(c.Voters, o.Voters) && equalIDs(c.Learners, o.Learners)
}

func equalIDs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// SnapshotMetadata identifies the last entry a snapshot covers and the
// configuration in force at that entry (thesis §5.1).
type SnapshotMetadata struct {
	Index     uint64
	Term      uint64
	ConfState ConfState
}

// Snapshot is the state machine's state up to and including Metadata.Index.
type Snapshot struct {
	Metadata SnapshotMetadata
	Data     []byte
}

// IsEmpty reports whether s is the zero snapshot (no snapshot at all).
func (s Snapshot) IsEmpty() bool { return s.Metadata.Index == 0 }

// ConfChangeType names a single-server membership change (thesis §4.1).
type ConfChangeType uint8

const (
	// ConfChangeAddNode adds a voter, or promotes an existing learner.
	ConfChangeAddNode ConfChangeType = 0
	// ConfChangeAddLearner adds a learner, which receives the log but does
	// not vote and does not count towards a quorum.
	ConfChangeAddLearner ConfChangeType = 1
	// ConfChangeRemoveNode removes a voter or a learner.
	ConfChangeRemoveNode ConfChangeType = 2
	// ConfChangeUpdateNode changes nothing in raft; it carries new
	// attributes (peer URLs) for the server to apply.
	ConfChangeUpdateNode ConfChangeType = 3
)

func (t ConfChangeType) String() string {
	switch t {
	case ConfChangeAddNode:
		return "AddNode"
	case ConfChangeAddLearner:
		return "AddLearner"
	case ConfChangeRemoveNode:
		return "RemoveNode"
	case ConfChangeUpdateNode:
		return "UpdateNode"
	}
	return fmt.Sprintf("ConfChangeType(%d)", uint8(t))
}

// ConfChange is the command carried by an EntryConfChange entry.
type ConfChange struct {
	ID      uint64 // request ID chosen by the proposer, for matching the result
	Type    ConfChangeType
	NodeID  uint64
	Context []byte // opaque to raft; the server stores member attributes here
}
