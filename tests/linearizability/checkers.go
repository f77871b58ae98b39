package linearizability

import (
	"fmt"
	"sort"
)

// Violation is one broken guarantee found by a checker.
type Violation struct {
	Checker string `json:"checker"`
	Detail  string `json:"detail"`
}

func (v Violation) String() string { return v.Checker + ": " + v.Detail }

// acknowledged reports whether r is a write the cluster acknowledged.
func acknowledged(r Record) bool {
	return r.Input.Kind.IsWrite() && !r.Output.Unknown && r.Output.Code == 0
}

// CheckUniqueIndexes: two different acknowledged writes never report the
// same modifiedIndex (a write applied twice, or two members handing out the
// same index).
func CheckUniqueIndexes(records []Record) []Violation {
	var out []Violation
	seen := map[uint64]Record{}
	for _, r := range records {
		if !acknowledged(r) {
			continue
		}
		if prev, ok := seen[r.Output.Index]; ok {
			out = append(out, Violation{"unique-index", fmt.Sprintf("index %d reported by both %v and %v", r.Output.Index, prev, r)})
			continue
		}
		seen[r.Output.Index] = r
	}
	return out
}

// CheckRealTimeIndexOrder: a write acknowledged before another operation
// began has the smaller index. For a later write that is its
// modifiedIndex; for a later quorum GET, the X-Etcd-Index it reports must
// not be below it (the index going backwards, etcd #14370's symptom).
func CheckRealTimeIndexOrder(records []Record) []Violation {
	var writes, later []Record
	for _, r := range records {
		if acknowledged(r) {
			writes = append(writes, r)
			later = append(later, r)
		} else if r.Input.Kind == Get && r.Quorum && !r.Output.Failed {
			later = append(later, r)
		}
	}
	sort.Slice(writes, func(i, j int) bool { return writes[i].Return < writes[j].Return })
	sort.Slice(later, func(i, j int) bool { return later[i].Call < later[j].Call })
	var out []Violation
	var maxW Record
	i := 0
	for _, b := range later {
		for ; i < len(writes) && writes[i].Return < b.Call; i++ {
			if writes[i].Output.Index > maxW.Output.Index {
				maxW = writes[i]
			}
		}
		if maxW.Output.Index == 0 {
			continue
		}
		if b.Input.Kind.IsWrite() && b.Output.Index <= maxW.Output.Index {
			out = append(out, Violation{"real-time-index", fmt.Sprintf("%v began after %v returned but has index %d <= %d", b, maxW, b.Output.Index, maxW.Output.Index)})
		}
		if b.Input.Kind == Get && b.EtcdIndex < maxW.Output.Index {
			out = append(out, Violation{"real-time-index", fmt.Sprintf("quorum %v began after %v returned but reports X-Etcd-Index %d < %d", b, maxW, b.EtcdIndex, maxW.Output.Index)})
		}
	}
	return out
}

// CheckStaleReads: a plain (non-quorum) GET may be stale, but it must show
// the key exactly as it was at the X-Etcd-Index it reports, replayed from
// the event log (the merged watch events of the workload's keys).
func CheckStaleReads(records []Record, log []Event) []Violation {
	return checkStaleReads(records, log, nil)
}

// checkStaleReads is CheckStaleReads skipping reads at or after a gap in
// the log (the replay could miss an event there).
func checkStaleReads(records []Record, log []Event, g gaps) []Violation {
	byKey := map[string][]Event{}
	for _, e := range log {
		byKey[e.Key] = append(byKey[e.Key], e)
	}
	var out []Violation
	for _, r := range records {
		if r.Input.Kind != Get || r.Quorum || r.Output.Failed || g.before(r.EtcdIndex) {
			continue
		}
		want := stateAt(byKey[r.Input.Key], r.EtcdIndex)
		got := keyState{Exists: r.Output.Code == 0, Value: r.Output.Value, Idx: r.Output.Index}
		if !got.Exists {
			got.Idx = want.Idx // a 100 does not say when the key went
		}
		if got != want {
			out = append(out, Violation{"stale-read", fmt.Sprintf("%v at X-Etcd-Index %d, but the log says %s", r, r.EtcdIndex, describeState(want))})
		}
	}
	return out
}

// stateAt replays one key's events up to index.
func stateAt(events []Event, index uint64) keyState {
	var s keyState
	for _, e := range events {
		if e.Index > index {
			break
		}
		if e.Deletes() {
			s = keyState{Idx: e.Index}
		} else {
			s = keyState{Exists: true, Value: e.Value, Idx: e.Index}
		}
	}
	return s
}

func describeState(s keyState) string {
	if !s.Exists {
		return "absent"
	}
	return fmt.Sprintf("%s@%d", s.Value, s.Idx)
}

// CheckFinalState: the key space every member ends with equals the replay
// of the whole event log (so the log the other checks trust is complete).
// final maps each key to its value; absent keys are missing.
func CheckFinalState(final map[string]string, log []Event) []Violation {
	return checkFinalState(final, log, nil)
}

// checkFinalState is CheckFinalState for the keys whose last logged event
// comes after every gap (for the others an event may be missing).
func checkFinalState(final map[string]string, log []Event, g gaps) []Violation {
	byKey := map[string][]Event{}
	for _, e := range log {
		byKey[e.Key] = append(byKey[e.Key], e)
	}
	var out []Violation
	for k, evs := range byKey {
		if evs[len(evs)-1].Index <= g.last() {
			continue
		}
		s := stateAt(evs, ^uint64(0))
		v, ok := final[k]
		if ok != s.Exists || v != s.Value {
			out = append(out, Violation{"final-state", fmt.Sprintf("%s is %q (exists %t) on the members, but the event log ends with %s", k, v, ok, describeState(s))})
		}
	}
	for k, v := range final {
		if _, ok := byKey[k]; !ok && len(g) == 0 {
			out = append(out, Violation{"final-state", fmt.Sprintf("%s=%q is on the members but no watcher saw it written", k, v)})
		}
	}
	return out
}

// CheckAppliedOnce: every written value is unique, so no two events in the
// log may write the same value; if they do, one write was applied twice
// (a retried or duplicated proposal).
func CheckAppliedOnce(log []Event) []Violation {
	var out []Violation
	first := map[string]Event{}
	for _, e := range log {
		if e.Deletes() || e.Value == "" {
			continue
		}
		k := e.Key + "\x00" + e.Value
		if f, ok := first[k]; ok {
			out = append(out, Violation{"applied-once", fmt.Sprintf("%s=%q written at index %d and again at %d", e.Key, e.Value, f.Index, e.Index)})
			continue
		}
		first[k] = e
	}
	return out
}
