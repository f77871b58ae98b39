package raft

import "skiff/raft/raftpb"

// SoftState is volatile state a driver may want to act on: who leads and
// this node's role.
type SoftState struct {
	Lead uint64
	Role Role
}

// Ready is one batch of work for the driver. Handle it in this order (see
// the package documentation for the reasons):
//
//  1. Persist HardState (if not empty), Entries and Snapshot; fsync if
//     MustSync.
//  2. Send Messages.
//  3. Apply CommittedEntries to the state machine.
//  4. Call Node.Advance.
//
// The slices belong to the driver until Advance. raft never modifies the
// Entry and Message values it hands out, but may reuse the Messages slice
// itself after Advance: copy the Message values if they must outlive it.
type Ready struct {
	// SoftState is non-nil when the leader or the role changed.
	SoftState *SoftState

	// HardState is Figure 2's persistent state (currentTerm, votedFor) and
	// the commit index; empty when unchanged since the last Ready.
	HardState raftpb.HardState

	// Entries must be appended to stable storage before Messages are sent.
	// An entry at an index already stored replaces it and all that follow.
	Entries []raftpb.Entry

	// Snapshot, when not empty, must be saved to stable storage; it is
	// filled in by the InstallSnapshot support of the next issue.
	Snapshot raftpb.Snapshot

	// CommittedEntries are committed (Figure 2: commitIndex) and must be
	// applied in order. They were persisted earlier, or are among Entries
	// of this same Ready (and so are persisted in step 1).
	CommittedEntries []raftpb.Entry

	// Messages are to be sent after Entries and HardState are durable; a
	// follower's vote or append acknowledgement must never outrun its disk
	// (thesis §3.8). A leader may send before its own write completes
	// (thesis §10.2.1): it counts itself only once Advance reports the
	// entries durable.
	Messages []raftpb.Message

	// MustSync is true when HardState's term or vote changed or Entries is
	// not empty: then the write must be synced before Messages go out.
	MustSync bool

	// ReadStates answer ReadIndex requests (thesis §6.4): serve each read
	// once the state machine has applied up to its Index.
	ReadStates []ReadState
}

// containsUpdates reports whether rd carries any work.
func (rd *Ready) containsUpdates() bool {
	return rd.SoftState != nil || !rd.HardState.IsEmpty() || len(rd.Entries) > 0 ||
		!rd.Snapshot.IsEmpty() || len(rd.CommittedEntries) > 0 || len(rd.Messages) > 0 ||
		len(rd.ReadStates) > 0
}
