package linearizability

import "math"

// gaps are the index ranges no watcher covered: a watcher that fell more
// than the server's 1000-event history behind (error 401) and found no
// member with the events starts again from the present, leaving a gap, and
// a range every watcher skipped is missing from the event log. The checks
// that trust the log to be complete are weakened inside gaps (never made
// to fail): Check reports how many there were.
type gaps [][2]uint64 // closed intervals [from, to]

// logGaps finds the ranges no recursive watcher covered.
func logGaps(watches []WatchLog) gaps {
	var all []gaps
	for _, wl := range watches {
		if wl.Recursive {
			all = append(all, uncovered(wl))
		}
	}
	if len(all) == 0 {
		return nil
	}
	out := all[0]
	for _, g := range all[1:] {
		out = intersect(out, g)
	}
	return out
}

// uncovered lists the ranges one watcher skipped: before each reset, and
// after its last event if it ended early.
func uncovered(wl WatchLog) gaps {
	var out gaps
	prev := wl.Start - 1
	for _, e := range wl.Events {
		if e.Reset && e.Index > prev+1 {
			out = append(out, [2]uint64{prev + 1, e.Index - 1})
		}
		prev = e.Index
	}
	if wl.EndsEarly {
		out = append(out, [2]uint64{prev + 1, math.MaxUint64})
	}
	return out
}

// intersect returns the ranges in both a and b (each sorted, disjoint).
func intersect(a, b gaps) gaps {
	var out gaps
	for _, x := range a {
		for _, y := range b {
			lo, hi := max(x[0], y[0]), min(x[1], y[1])
			if lo <= hi {
				out = append(out, [2]uint64{lo, hi})
			}
		}
	}
	return out
}

// contains reports whether index is in a gap.
func (g gaps) contains(index uint64) bool {
	for _, r := range g {
		if r[0] <= index && index <= r[1] {
			return true
		}
	}
	return false
}

// before reports whether a gap starts at or below index.
func (g gaps) before(index uint64) bool {
	for _, r := range g {
		if r[0] <= index {
			return true
		}
	}
	return false
}

// last is the end of the last gap, 0 without gaps.
func (g gaps) last() uint64 {
	var end uint64
	for _, r := range g {
		end = max(end, r[1])
	}
	return end
}
