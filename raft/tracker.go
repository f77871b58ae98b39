package raft

import (
	"slices"

	"skiff/raft/raftpb"
)

// tracker holds the configuration in force (thesis §4.1: voters and
// learners), the leader's progress for every member, and the votes of the
// election in progress. It answers the quorum questions: what is committed,
// who won, is a quorum still active.
//
// Invariants:
//  1. voters and learners are sorted, disjoint and free of duplicates; ids
//     is their sorted union, so iteration order is deterministic.
//  2. progress has exactly one entry per member in ids.
type tracker struct {
	voters   []uint64
	learners []uint64
	ids      []uint64
	progress map[uint64]*progress
	votes    map[uint64]bool

	maxInflight      int
	maxInflightBytes uint64
	scratch          []uint64 // reused by committed() to avoid allocating
}

func newTracker(cs raftpb.ConfState, maxInflight int, maxInflightBytes uint64) *tracker {
	t := &tracker{
		progress:         map[uint64]*progress{},
		votes:            map[uint64]bool{},
		maxInflight:      maxInflight,
		maxInflightBytes: maxInflightBytes,
	}
	t.voters = sortedUnique(cs.Voters)
	t.learners = sortedUnique(cs.Learners)
	t.ids = sortedUnique(append(slices.Clone(t.voters), t.learners...))
	for _, id := range t.ids {
		t.progress[id] = t.newProgress(1, !slices.Contains(t.voters, id))
	}
	return t
}

func (t *tracker) newProgress(next uint64, learner bool) *progress {
	return &progress{Next: next, IsLearner: learner, sinceHeard: neverHeard,
		inflights: newInflights(t.maxInflight, t.maxInflightBytes)}
}

// neverHeard is progress.sinceHeard for a member not heard from in this
// leader's term.
const neverHeard = 1 << 30

// setConfig switches to cs, keeping the progress of members that stay. A
// new member is probed from the end of the leader's log, and counts as
// recently active so that the next quorum check gives it a full period to
// answer. It returns the members that are new.
func (t *tracker) setConfig(cs raftpb.ConfState, lastIndex uint64) (added []uint64) {
	t.voters, t.learners = sortedUnique(cs.Voters), sortedUnique(cs.Learners)
	t.ids = sortedUnique(append(slices.Clone(t.voters), t.learners...))
	for id := range t.progress {
		if !slices.Contains(t.ids, id) {
			delete(t.progress, id)
			delete(t.votes, id)
		}
	}
	for _, id := range t.ids {
		learner := !t.isVoter(id)
		if pr := t.progress[id]; pr != nil {
			pr.IsLearner = learner
			continue
		}
		pr := t.newProgress(lastIndex+1, learner)
		pr.RecentActive = true
		t.progress[id] = pr
		added = append(added, id)
	}
	return added
}

// isMember reports whether id is a voter or a learner.
func (t *tracker) isMember(id uint64) bool { return t.progress[id] != nil }

// confState returns the configuration as raftpb data.
func (t *tracker) confState() raftpb.ConfState {
	return raftpb.ConfState{Voters: slices.Clone(t.voters), Learners: slices.Clone(t.learners)}
}

// isVoter reports whether id is a voting member.
func (t *tracker) isVoter(id uint64) bool {
	_, ok := slices.BinarySearch(t.voters, id)
	return ok
}

// quorum is the size of a majority of the voters.
func (t *tracker) quorum() int { return len(t.voters)/2 + 1 }

// committed returns the largest index that a majority of voters has
// (matchIndex[i] ≥ N for a majority, Figure 2 rules for leaders). The
// caller still checks the term of that entry (§5.4.2).
func (t *tracker) committed() uint64 {
	if len(t.voters) == 0 {
		return 0
	}
	m := t.scratch[:0]
	for _, id := range t.voters {
		m = append(m, t.progress[id].Match)
	}
	slices.Sort(m) // a handful of voters: insertion sort, no allocation
	t.scratch = m
	return m[len(m)-t.quorum()]
}

// voteResult is the outcome of an election so far.
type voteResult uint8

const (
	votePending voteResult = iota
	voteWon
	voteLost
)

// recordVote remembers id's answer; only its first answer counts.
func (t *tracker) recordVote(id uint64, granted bool) {
	if _, ok := t.votes[id]; !ok {
		t.votes[id] = granted
	}
}

// resetVotes forgets all answers.
func (t *tracker) resetVotes() { clear(t.votes) }

// tallyVotes counts the voters' answers (§5.2: a candidate wins with votes
// from a majority; learners' answers do not count).
func (t *tracker) tallyVotes() (granted, rejected int, result voteResult) {
	for _, id := range t.voters {
		v, ok := t.votes[id]
		switch {
		case !ok:
		case v:
			granted++
		default:
			rejected++
		}
	}
	switch q := t.quorum(); {
	case granted >= q:
		return granted, rejected, voteWon
	case rejected >= q || len(t.voters)-rejected < q:
		return granted, rejected, voteLost
	}
	return granted, rejected, votePending
}

// quorumActive reports whether a majority of voters (self included) was
// heard from since the last check, and clears the marks for the next
// period (thesis §6.2).
func (t *tracker) quorumActive(self uint64) bool {
	active := 0
	for _, id := range t.voters {
		if id == self || t.progress[id].RecentActive {
			active++
		}
	}
	for _, id := range t.ids {
		t.progress[id].RecentActive = id == self
	}
	return active >= t.quorum()
}

// resetProgress starts every member over in StateProbe at nextIndex =
// lastIndex+1 and matchIndex = 0 (Figure 2: "reinitialized after
// election").
func (t *tracker) resetProgress(lastIndex uint64) {
	for _, id := range t.ids {
		pr := t.progress[id]
		pr.Match, pr.Next = 0, lastIndex+1
		pr.State, pr.ProbeSent, pr.RecentActive = StateProbe, false, false
		pr.PendingSnapshot, pr.sinceHeard = 0, neverHeard
		pr.inflights.reset()
	}
}

func sortedUnique(ids []uint64) []uint64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}
