package raft

import "fmt"

// ProgressState is how a leader replicates to one follower.
type ProgressState uint8

const (
	// StateProbe: the leader does not know where the follower's log matches
	// its own. It sends one AppendEntries at a time and waits for the answer
	// (or a heartbeat answer) before sending the next, moving nextIndex back
	// on each rejection (§5.3).
	StateProbe ProgressState = iota
	// StateReplicate: the follower's log matches up to Match. The leader
	// streams entries optimistically, advancing Next as it sends, within
	// the in-flight window (thesis §10.2.2).
	StateReplicate
	// StateSnapshot: the follower needs entries the leader has compacted
	// away. The leader has sent InstallSnapshot (thesis ch. 5) and sends
	// nothing more until the follower acknowledges it or the driver
	// reports the send (Node.ReportSnapshot).
	StateSnapshot
)

func (s ProgressState) String() string {
	switch s {
	case StateProbe:
		return "Probe"
	case StateReplicate:
		return "Replicate"
	case StateSnapshot:
		return "Snapshot"
	}
	return fmt.Sprintf("ProgressState(%d)", uint8(s))
}

// progress is the leader's view of one member (Figure 2's nextIndex[] and
// matchIndex[], plus flow control).
//
// Invariants:
//  1. Match < Next.
//  2. In StateProbe the window is empty.
//  3. In StateReplicate every entry in (Match, Next) was sent at least once.
type progress struct {
	Match uint64 // matchIndex: highest index known to be replicated there
	Next  uint64 // nextIndex: index of the next entry to send there
	State ProgressState

	// ProbeSent is set in StateProbe once an AppendEntries went out, and
	// pauses sending until an answer arrives.
	ProbeSent bool
	// RecentActive says the member answered within the current election
	// timeout; check-quorum counts these (thesis §6.2).
	RecentActive bool
	// IsLearner marks a non-voting member (thesis §4.2.1): it receives the
	// log but counts neither in elections nor for commitment.
	IsLearner bool
	// PendingSnapshot is the index of the snapshot sent in StateSnapshot.
	PendingSnapshot uint64
	// sinceHeard counts the leader's ticks since the member last answered;
	// unlike RecentActive it is not cleared by each quorum check, so it
	// tells at any moment who was heard within the last election timeout
	// (Status.SafeConfChange).
	sinceHeard int

	inflights *inflights
}

// heard records an answer from the member.
func (pr *progress) heard() {
	pr.RecentActive = true
	pr.sinceHeard = 0
}

// becomeProbe moves to StateProbe, resending from just after Match (or,
// leaving StateSnapshot, after the snapshot if it was acknowledged).
func (pr *progress) becomeProbe() {
	pr.State = StateProbe
	pr.PendingSnapshot = 0
	pr.ProbeSent = false
	pr.Next = pr.Match + 1
	pr.inflights.reset()
}

// becomeReplicate moves to StateReplicate after the follower's log was
// found to match up to Match.
func (pr *progress) becomeReplicate() {
	pr.State = StateReplicate
	pr.PendingSnapshot = 0
	pr.ProbeSent = false
	pr.Next = pr.Match + 1
	pr.inflights.reset()
}

// becomeSnapshot moves to StateSnapshot after InstallSnapshot was sent
// for a snapshot ending at index.
func (pr *progress) becomeSnapshot(index uint64) {
	pr.State = StateSnapshot
	pr.ProbeSent = false
	pr.PendingSnapshot = index
	pr.inflights.reset()
}

// maybeUpdate records a successful AppendEntries answer for index n. It
// returns false if n is not news (a stale or duplicated answer).
func (pr *progress) maybeUpdate(n uint64) bool {
	pr.ProbeSent = false
	if n <= pr.Match {
		return false
	}
	pr.Match = n
	pr.Next = max(pr.Next, n+1)
	return true
}

// maybeDecrTo handles a rejected AppendEntries whose prevLogIndex was
// rejected, with matchHint the leader's guess (from the follower's
// ConflictIndex/ConflictTerm) of the last index that might match. It returns
// false for stale rejections.
func (pr *progress) maybeDecrTo(rejected, matchHint uint64) bool {
	if pr.State == StateSnapshot {
		return false // answers an append sent before the snapshot
	}
	if pr.State == StateReplicate {
		if rejected <= pr.Match {
			return false // answers an append older than what was since acked
		}
		pr.Next = pr.Match + 1
		return true
	}
	if pr.Next-1 != rejected {
		return false // answers an older probe
	}
	pr.Next = max(min(rejected, matchHint+1), pr.Match+1)
	pr.ProbeSent = false
	return true
}

// sentEntries records that an AppendEntries carrying n entries (ending at
// lastIndex, of the given bytes) was sent.
func (pr *progress) sentEntries(n int, lastIndex, bytes uint64) {
	switch pr.State {
	case StateReplicate:
		if n > 0 {
			pr.Next = lastIndex + 1
			pr.inflights.add(lastIndex, bytes)
		}
	case StateProbe:
		pr.ProbeSent = true
	}
}

// isPaused reports whether the leader must wait before sending more.
func (pr *progress) isPaused() bool {
	switch pr.State {
	case StateProbe:
		return pr.ProbeSent
	case StateReplicate:
		return pr.inflights.full()
	}
	return true // StateSnapshot
}

func (pr *progress) String() string {
	return fmt.Sprintf("match=%d next=%d %s", pr.Match, pr.Next, pr.State)
}
