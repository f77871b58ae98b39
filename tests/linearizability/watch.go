package linearizability

import (
	"context"
	"errors"
	"fmt"
	"sort"
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

// Watcher follows the workload's key prefix on one member with a recursive
// watch (waitIndex resumes it after the member restarts) and records every
// event.
type Watcher struct {
	Member int
	Start  uint64 // the first index it asked for
	stream bool
	mu     sync.Mutex
	events []Event
}

// Events returns what the watcher has seen so far.
func (w *Watcher) Events() []Event {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Event(nil), w.events...)
}

// Watch runs a watcher on prefix through cl (pinned to member) from index
// start until ctx ends: a stream (stream=true), or one long poll per event.
func Watch(ctx context.Context, rec *Recorder, cl *client.Client, member int, prefix string, start uint64, stream bool) *Watcher {
	w := &Watcher{Member: member, Start: start, stream: stream}
	go w.run(ctx, rec, cl, prefix)
	return w
}

func (w *Watcher) run(ctx context.Context, rec *Recorder, cl *client.Client, prefix string) {
	cw := cl.Watcher(prefix, &client.WatchOptions{AfterIndex: w.Start - 1, Recursive: true, Stream: w.stream})
	reset := false
	for ctx.Err() == nil {
		r, err := cw.Next(ctx)
		switch {
		case err == nil:
			w.add(r, rec.Now(), reset)
			reset = false
		case client.IsEventIndexCleared(err):
			// Too far behind: start again from the present, marking the gap.
			cw.Close()
			after := uint64(0)
			if g, err := cl.Get(ctx, prefix, nil); err == nil {
				after = g.Index
			} else if ce := (*client.Error)(nil); errors.As(err, &ce) {
				after = ce.Index
			}
			cw = cl.Watcher(prefix, &client.WatchOptions{AfterIndex: after, Recursive: true, Stream: w.stream})
			reset = true
		default:
			select { // member down: try again shortly, resuming where we were
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	cw.Close()
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
func MergeEvents(watchers [][]Event) []Event {
	byIndex := map[uint64]Event{}
	for _, evs := range watchers {
		for _, e := range evs {
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

// CheckWatches: every watcher sees events in index order with no repeat,
// all watchers agree on the event at each index, none skips an event
// another one saw (apart from a restart after error 401, which it marks),
// and each one reached the last event, the final write every run ends with
// (unless endsEarly says its member was removed from the cluster).
func CheckWatches(watchers [][]Event, starts []uint64, endsEarly []bool, log []Event) []Violation {
	var out []Violation
	pos := map[uint64]int{}
	for i, e := range log {
		pos[e.Index] = i
	}
	for wi, evs := range watchers {
		name := fmt.Sprintf("watcher %d", wi)
		next := sort.Search(len(log), func(i int) bool { return log[i].Index >= starts[wi] })
		for _, e := range evs {
			p := pos[e.Index]
			switch {
			case !log[p].same(e):
				out = append(out, Violation{"watch", fmt.Sprintf("%s got %+v at index %d, another watcher got %+v", name, e, e.Index, log[p])})
			case p < next:
				out = append(out, Violation{"watch", fmt.Sprintf("%s got index %d again or out of order (expected index %d or later)", name, e.Index, log[next].Index)})
				continue
			case p > next && !e.Reset:
				out = append(out, Violation{"watch", fmt.Sprintf("%s skipped %d event(s) before index %d, the first at index %d (%s %s)", name, p-next, e.Index, log[next].Index, log[next].Action, log[next].Key)})
			}
			next = p + 1
		}
		if next < len(log) && !(wi < len(endsEarly) && endsEarly[wi]) {
			out = append(out, Violation{"watch", fmt.Sprintf("%s stopped at index %d; the log goes on to %d", name, lastIndex(evs), log[len(log)-1].Index)})
		}
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
		case !ok:
			out = append(out, Violation{"acknowledged-write", fmt.Sprintf("%v is not in the event log (lost?)", r)})
		case e.Key != r.Input.Key || e.Deletes() != (r.Input.Kind == Delete || r.Input.Kind == CAD) || (!e.Deletes() && e.Value != r.Input.Value):
			out = append(out, Violation{"acknowledged-write", fmt.Sprintf("%v, but the log has %s %s=%q at index %d", r, e.Action, e.Key, e.Value, e.Index)})
		}
	}
	return out
}
