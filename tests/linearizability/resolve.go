package linearizability

import (
	"sort"
	"strconv"
)

// ResolveStats counts what Resolve did with the unknown writes.
type ResolveStats struct {
	Unknown    int // writes whose answer was lost
	Applied    int // found in the event log: now known, return time bounded
	Dropped    int // never applied anywhere: removed
	Unresolved int // plain deletes (not unique): left with an infinite return
}

// Resolve settles writes whose outcome was unknown, against the event log
// the members' stores produced (the merged watch events, checked complete
// by CheckWatches and CheckFinalState). Every written value is unique, so a
// set, create, update or CAS was applied exactly when an event carries its
// value, and a CAD (always with a prevValue) when a compareAndDelete event
// that no acknowledged CAD owns has its prevValue as the previous value. An applied write gets the index of its
// event and a return time bounded by the first sign of it: the event's
// arrival at a watcher, or the answer to any operation that reported an
// index at or above it. A write that was never applied had no effect and is
// dropped, so porcupine never has to place it. What is left (plain deletes)
// keeps an infinite return time.
func Resolve(records []Record, log []Event) ([]Record, ResolveStats) {
	return resolve(records, log, nil)
}

// resolve is Resolve over a log with gaps: a write not found in the log may
// have been applied inside a gap, so it is kept (unresolved) instead of
// dropped.
func resolve(records []Record, log []Event, g gaps) ([]Record, ResolveStats) {
	claimed := map[uint64]bool{} // events an acknowledged write owns
	cads := map[string]int{}     // unknown CADs per key and prevValue
	for _, r := range records {
		if acknowledged(r) {
			claimed[r.Output.Index] = true
		}
		if r.Input.Kind == CAD && r.Output.Unknown {
			cads[r.Input.Key+"\x00"+r.Input.PrevValue]++
		}
	}
	byValue := map[string]Event{}
	byDeleted := map[string]Event{}
	for _, e := range log {
		switch {
		case claimed[e.Index]:
		case e.Action == "compareAndDelete":
			byDeleted[e.Key+"\x00"+e.PrevValue] = e
		case !e.Deletes():
			byValue[e.Key+"\x00"+e.Value] = e
		}
	}
	bound := returnBounds(records)
	var out []Record
	var st ResolveStats
	for _, r := range records {
		if !r.Input.Kind.IsWrite() || !r.Output.Unknown {
			out = append(out, r)
			continue
		}
		st.Unknown++
		var e Event
		var found, unique bool
		switch r.Input.Kind {
		case Set, Create, Update, CAS:
			e, found = byValue[r.Input.Key+"\x00"+r.Input.Value]
			unique = true
		case CAD:
			e, found = byDeleted[r.Input.Key+"\x00"+r.Input.PrevValue]
			// Two unknown CADs of the same value: either may have done it.
			unique = r.Input.PrevValue != "" && cads[r.Input.Key+"\x00"+r.Input.PrevValue] == 1
		}
		switch {
		case !unique || (!found && len(g) > 0):
			st.Unresolved++
			out = append(out, r)
		case !found:
			st.Dropped++
		default:
			st.Applied++
			r.Output = Output{Index: e.Index}
			r.Return = min(max(e.Time, r.Call), bound(e.Index, r.Call))
			r.Err += " (resolved: applied at index " + strconv.FormatUint(e.Index, 10) + ")"
			out = append(out, r)
		}
	}
	return out, st
}

// returnBounds returns a function giving, for a store index, the earliest
// return time of an operation that reported that index or a later one: the
// entry at the index was applied by then. call is the floor (an operation
// cannot end before it began).
func returnBounds(records []Record) func(index uint64, call int64) int64 {
	type seen struct {
		index uint64
		ret   int64
	}
	var all []seen
	for _, r := range records {
		switch {
		case acknowledged(r):
			all = append(all, seen{r.Output.Index, r.Return})
		case r.Input.Kind == Get && !r.Output.Failed && r.EtcdIndex != 0:
			all = append(all, seen{r.EtcdIndex, r.Return})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].index < all[j].index })
	suffixMin := make([]int64, len(all)+1)
	suffixMin[len(all)] = 1<<63 - 1
	for i := len(all) - 1; i >= 0; i-- {
		suffixMin[i] = min(suffixMin[i+1], all[i].ret)
	}
	return func(index uint64, call int64) int64 {
		i := sort.Search(len(all), func(i int) bool { return all[i].index >= index })
		return max(suffixMin[i], call)
	}
}
