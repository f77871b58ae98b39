package linearizability

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"skiff/client"
)

// Event is one watch event on the workload's keys.
type Event struct {
	Index     uint64 `json:"index"`
	Key       string `json:"key"`
	Action    string `json:"action"`
	Value     string `json:"value,omitempty"`
	PrevValue string `json:"prevValue,omitempty"`
	Time      int64  `json:"time"` // when the watcher received it (recorder clock)
	// Reset marks a restart of the watch after error 401 (the history
	// window passed it by): a gap before this event is expected.
	Reset bool `json:"reset,omitempty"`
}

// Deletes reports whether the event removes its key.
func (e Event) Deletes() bool {
	return e.Action == "delete" || e.Action == "compareAndDelete" || e.Action == "expire"
}

func (e Event) same(o Event) bool {
	return e.Index == o.Index && e.Key == o.Key && e.Action == o.Action && e.Value == o.Value && e.PrevValue == o.PrevValue
}

// WatchSpec says what a watcher follows.
type WatchSpec struct {
	Member    int    // the member its client is pinned to
	Key       string // the key (or directory) watched
	Recursive bool   // the key and everything under it
	Stream    bool   // one streaming answer, or one long poll per event
	Start     uint64 // the first index it asks for (waitIndex); at least 2
}

// WatchLog is what one watcher saw: the input of CheckWatches.
type WatchLog struct {
	WatchSpec
	// EndsEarly: the watcher's member left the cluster, so it may stop
	// before the final write.
	EndsEarly bool    `json:"endsEarly,omitempty"`
	Events    []Event `json:"events"`
}

// covers reports whether an event on key is one the watch must see.
func (s WatchSpec) covers(key string) bool {
	return key == s.Key || s.Recursive && strings.HasPrefix(key, strings.TrimSuffix(s.Key, "/")+"/")
}

// Watcher follows a key on one member (waitIndex resumes it after the
// member restarts) and records every event.
type Watcher struct {
	Spec   WatchSpec
	mu     sync.Mutex
	events []Event
}

// Log returns what the watcher has seen so far.
func (w *Watcher) Log() WatchLog {
	w.mu.Lock()
	defer w.mu.Unlock()
	return WatchLog{WatchSpec: w.Spec, Events: append([]Event(nil), w.events...)}
}

// LastIndex is the index of the last event seen, 0 before any.
func (w *Watcher) LastIndex() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return lastIndex(w.events)
}

// Watch runs a watcher through cl (pinned to spec.Member) until ctx ends.
// When that member no longer has the events the watcher needs (error 401:
// a restarted member's history starts afresh), it carries on from the same
// index on the first of fallback (clients of the other members) that still
// has them; only when none has does it start again from the present and
// mark the gap (Event.Reset). A member that stays unreachable for half a
// second is left for the next one too.
func Watch(ctx context.Context, rec *Recorder, cl *client.Client, spec WatchSpec, fallback ...*client.Client) *Watcher {
	w := &Watcher{Spec: spec}
	go w.run(ctx, rec, append([]*client.Client{cl}, fallback...))
	return w
}

func (w *Watcher) run(ctx context.Context, rec *Recorder, cls []*client.Client) {
	cur, failures := 0, 0
	cw := w.watcher(cls[cur], w.Spec.Start-1)
	reset := false
	for ctx.Err() == nil {
		r, err := cw.Next(ctx)
		switch {
		case err == nil:
			w.add(r, rec.Now(), reset)
			reset = false
		case client.IsEventIndexCleared(err):
			cw.Close()
			if next, nw, r := w.failover(ctx, cls, cur); nw != nil {
				cur, cw = next, nw
				w.add(r, rec.Now(), reset)
				reset = false
				continue
			}
			// No member has the events: start again from the present.
			cw = w.watcher(cls[cur], w.present(ctx, cls[cur]))
			reset = true
		default:
			select { // member down: try again shortly, resuming where we were
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
			// A member down for a while (or removed): go on on the next one.
			if failures++; failures%10 == 0 && len(cls) > 1 {
				cw.Close()
				cur = (cur + 1) % len(cls)
				cw = w.watcher(cls[cur], w.resumeAfter())
			}
			continue
		}
		failures = 0
	}
	cw.Close()
}

// resumeAfter is the index to resume after: the last event seen, or the
// one before the first index asked for.
func (w *Watcher) resumeAfter() uint64 {
	if after := w.LastIndex(); after != 0 {
		return after
	}
	return w.Spec.Start - 1
}

// watcher opens a client watcher for the spec after index after.
func (w *Watcher) watcher(cl *client.Client, after uint64) *client.Watcher {
	sp := w.Spec
	return cl.Watcher(sp.Key, &client.WatchOptions{AfterIndex: after, Recursive: sp.Recursive, Stream: sp.Stream})
}

// failover looks for another member that still has the events after the
// last one seen: it returns that member's position in cls, a watcher on it
// and its first event, or a nil watcher.
func (w *Watcher) failover(ctx context.Context, cls []*client.Client, cur int) (int, *client.Watcher, *client.Response) {
	after := w.resumeAfter()
	for k := 1; k < len(cls); k++ {
		j := (cur + k) % len(cls)
		cw := w.watcher(cls[j], after)
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		r, err := cw.Next(pctx)
		cancel()
		if err == nil {
			return j, cw, r
		}
		cw.Close()
	}
	return cur, nil, nil
}

// present is the index to watch after when starting afresh: the store
// index a read of the key reports.
func (w *Watcher) present(ctx context.Context, cl *client.Client) uint64 {
	if g, err := cl.Get(ctx, w.Spec.Key, nil); err == nil {
		return g.Index
	} else if ce := (*client.Error)(nil); errors.As(err, &ce) {
		return ce.Index
	}
	return 0
}

func (w *Watcher) add(r *client.Response, now int64, reset bool) {
	e := Event{Action: r.Action, Time: now, Reset: reset}
	if r.Node != nil {
		e.Index, e.Key, e.Value = r.Node.ModifiedIndex, r.Node.Key, r.Node.Value
	}
	if e.Deletes() {
		e.Value = ""
	}
	if r.PrevNode != nil {
		e.PrevValue = r.PrevNode.Value
	}
	w.mu.Lock()
	w.events = append(w.events, e)
	w.mu.Unlock()
}

// MergeEvents builds the event log from every watcher: one event per index.
// Watchers that disagree about an index are reported by CheckWatches.
func MergeEvents(watches []WatchLog) []Event {
	byIndex := map[uint64]Event{}
	for _, wl := range watches {
		for _, e := range wl.Events {
			if old, ok := byIndex[e.Index]; !ok || e.Time < old.Time {
				e.Reset = false
				byIndex[e.Index] = e
			}
		}
	}
	log := make([]Event, 0, len(byIndex))
	for _, e := range byIndex {
		log = append(log, e)
	}
	sort.Slice(log, func(i, j int) bool { return log[i].Index < log[j].Index })
	return log
}

// CheckWatches: every watcher sees the events it covers in index order
// with no repeat; all watchers agree on the event at each index; none skips
// an event another one saw (apart from a restart after error 401, which it
// marks); and each one reached the last event it covers up to until, the
// final write every run ends with (unless its member left the cluster).
// Writes applied after it (an unknown write that committed late) may be
// missing from watchers that were stopped by then. until 0 means the end of
// the log.
func CheckWatches(watches []WatchLog, log []Event, until uint64) []Violation {
	var out []Violation
	for wi, wl := range watches {
		name := fmt.Sprintf("watcher %d (m%d, %s, recursive %t, stream %t)", wi, wl.Member+1, wl.Key, wl.Recursive, wl.Stream)
		var mine []Event // the log as this watcher should see it
		for _, e := range log {
			if e.Index >= wl.Start && wl.covers(e.Key) {
				mine = append(mine, e)
			}
		}
		out = append(out, checkOneWatch(name, wl, mine, until)...)
	}
	return out
}

// checkOneWatch compares one watcher's events with the log it should see.
func checkOneWatch(name string, wl WatchLog, mine []Event, until uint64) []Violation {
	var out []Violation
	pos := map[uint64]int{}
	for i, e := range mine {
		pos[e.Index] = i
	}
	next := 0
	for _, e := range wl.Events {
		p, ok := pos[e.Index]
		switch {
		case !ok || !mine[p].same(e):
			out = append(out, Violation{"watch", fmt.Sprintf("%s got %+v, which is not the log's event at index %d", name, e, e.Index)})
			continue
		case p < next:
			out = append(out, Violation{"watch", fmt.Sprintf("%s got index %d again or out of order (expected index %d or later)", name, e.Index, mine[next].Index)})
			continue
		case p > next && !e.Reset:
			out = append(out, Violation{"watch", fmt.Sprintf("%s skipped %d event(s) before index %d, the first at index %d (%s %s)", name, p-next, e.Index, mine[next].Index, mine[next].Action, mine[next].Key)})
		}
		next = p + 1
	}
	if next < len(mine) && !wl.EndsEarly && (until == 0 || mine[next].Index <= until) {
		out = append(out, Violation{"watch", fmt.Sprintf("%s stopped at index %d; the log goes on to %d", name, lastIndex(wl.Events), mine[len(mine)-1].Index)})
	}
	return out
}

func lastIndex(evs []Event) uint64 {
	if len(evs) == 0 {
		return 0
	}
	return evs[len(evs)-1].Index
}

// CheckAcknowledgedInLog: every acknowledged write is in the event log at
// the index it reported, with its key and value: no acknowledged write is
// lost, and none is reported at an index another event holds.
func CheckAcknowledgedInLog(records []Record, log []Event) []Violation {
	return checkAcknowledgedInLog(records, log, nil)
}

// checkAcknowledgedInLog is CheckAcknowledgedInLog for the writes whose
// index is not in a gap.
func checkAcknowledgedInLog(records []Record, log []Event, g gaps) []Violation {
	byIndex := map[uint64]Event{}
	for _, e := range log {
		byIndex[e.Index] = e
	}
	var out []Violation
	for _, r := range records {
		if !acknowledged(r) {
			continue
		}
		e, ok := byIndex[r.Output.Index]
		switch {
		case !ok && g.contains(r.Output.Index):
		case !ok:
			out = append(out, Violation{"acknowledged-write", fmt.Sprintf("%v is not in the event log (lost?)", r)})
		case e.Key != r.Input.Key || e.Deletes() != (r.Input.Kind == Delete || r.Input.Kind == CAD) || (!e.Deletes() && e.Value != r.Input.Value):
			out = append(out, Violation{"acknowledged-write", fmt.Sprintf("%v, but the log has %s %s=%q at index %d", r, e.Action, e.Key, e.Value, e.Index)})
		}
	}
	return out
}
