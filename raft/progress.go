package raft

import "fmt"

// ProgressState is how a leader replicates to one follower. The next issue
// adds StateSnapshot (a follower that needs InstallSnapshot).
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
)

func (s ProgressState) String() string {
	switch s {
	case StateProbe:
		return "Probe"
	case StateReplicate:
		return "Replicate"
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

	inflights *inflights
}

// becomeProbe moves to StateProbe, resending from just after Match.
func (pr *progress) becomeProbe() {
	pr.State = StateProbe
	pr.ProbeSent = false
	pr.Next = pr.Match + 1
	pr.inflights.reset()
}

// becomeReplicate moves to StateReplicate after the follower's log was
// found to match up to Match.
func (pr *progress) becomeReplicate() {
	pr.State = StateReplicate
	pr.ProbeSent = false
	pr.Next = pr.Match + 1
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
	return true
}

func (pr *progress) String() string {
	return fmt.Sprintf("match=%d next=%d %s", pr.Match, pr.Next, pr.State)
}
