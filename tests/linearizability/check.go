package linearizability

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/anishathalye/porcupine"
)

// Run is everything one workload run produced, ready to be checked.
type Run struct {
	Records []Record
	Watches []WatchLog // one per watcher
	// FinalIndex is the index of the run's final write, which every
	// watcher must reach; 0 means the end of the log.
	FinalIndex uint64
	Final      map[string]string
	Notes      []porcupine.Annotation // fault windows, for the HTML
	Dir        string                 // where the artifacts go
	Timeout    time.Duration          // porcupine's budget; Unknown fails
	Visual     bool                   // write history.html even when it passes
	SkipLogs   bool                   // no watchers ran: skip the log-based checks
}

// Result is the outcome of Check.
type Result struct {
	Verdict    porcupine.CheckResult
	Violations []Violation
	Ops        int // operations given to porcupine
	CheckTime  time.Duration
	Resolve    ResolveStats
	LogGaps    int    // index ranges no watcher covered (see gaps)
	HTML       string // path of the visualization, if written
}

// Failed reports whether any check failed, porcupine's Unknown included.
func (r Result) Failed() bool { return r.Verdict != porcupine.Ok || len(r.Violations) > 0 }

// Check validates a run in etcd's order: the event log first (it is the
// ground truth the rest leans on), then unknown writes are resolved against
// it, then porcupine, then the index and stale-read checkers. It writes
// history.json and events.json to run.Dir, and history.html when a check
// failed (or run.Visual).
func Check(run Run) Result {
	var res Result
	records := run.Records
	var log []Event
	if !run.SkipLogs {
		log = MergeEvents(run.Watches)
		g := logGaps(run.Watches)
		res.LogGaps = len(g)
		res.Violations = append(res.Violations, CheckWatches(run.Watches, log, run.FinalIndex)...)
		res.Violations = append(res.Violations, checkFinalState(run.Final, log, g)...)
		res.Violations = append(res.Violations, checkAcknowledgedInLog(records, log, g)...)
		res.Violations = append(res.Violations, CheckAppliedOnce(log)...)
		records, res.Resolve = resolve(records, log, g)
		res.Violations = append(res.Violations, checkStaleReads(records, log, g)...)
	}
	res.Violations = append(res.Violations, CheckUniqueIndexes(records)...)
	res.Violations = append(res.Violations, CheckRealTimeIndexOrder(records)...)

	ops := Operations(records)
	res.Ops = len(ops)
	start := time.Now()
	verdict, info := porcupine.CheckOperationsVerbose(Model, ops, run.Timeout)
	res.CheckTime = time.Since(start)
	res.Verdict = verdict
	if run.Dir != "" {
		writeJSON(filepath.Join(run.Dir, "history.json"), run.Records)
		writeJSON(filepath.Join(run.Dir, "events.json"), run.Watches)
		writeJSON(filepath.Join(run.Dir, "final.json"), run.Final)
		writeJSON(filepath.Join(run.Dir, "notes.json"), run.Notes)
		writeJSON(filepath.Join(run.Dir, "final-index.json"), run.FinalIndex)
		if res.Failed() || run.Visual {
			info.AddAnnotations(run.Notes)
			res.HTML = filepath.Join(run.Dir, "history.html")
			if err := porcupine.VisualizePath(Model, info, res.HTML); err != nil {
				res.HTML = "(not written: " + err.Error() + ")"
			}
		}
	}
	return res
}

// LoadRun reads a run's history back from the artifacts Check wrote in dir
// (history.json, events.json, final.json, notes.json, final-index.json),
// so it can be checked again
// after a checker changes.
func LoadRun(dir string) (Run, error) {
	run := Run{Dir: dir}
	for name, v := range map[string]any{"history.json": &run.Records, "events.json": &run.Watches, "final.json": &run.Final, "notes.json": &run.Notes, "final-index.json": &run.FinalIndex} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return run, err
		}
		if err := json.Unmarshal(b, v); err != nil {
			return run, fmt.Errorf("%s: %w", name, err)
		}
	}
	return run, nil
}

// Summary is a one-paragraph account of the result for the test log.
func (r Result) Summary() string {
	s := fmt.Sprintf("porcupine: %s on %d operations in %v; unknown writes: %d (applied %d, never applied %d, unresolved %d); %d violation(s)",
		r.Verdict, r.Ops, r.CheckTime.Round(time.Millisecond), r.Resolve.Unknown, r.Resolve.Applied, r.Resolve.Dropped, r.Resolve.Unresolved, len(r.Violations))
	if r.LogGaps > 0 {
		s += fmt.Sprintf("; %d event-log gap(s) no watcher covered (log checks weakened there)", r.LogGaps)
	}
	for i, v := range r.Violations {
		if i == 20 {
			s += fmt.Sprintf("\n  ... and %d more", len(r.Violations)-20)
			break
		}
		s += "\n  " + v.String()
	}
	return s
}

func writeJSON(path string, v any) {
	b, err := json.MarshalIndent(v, "", " ")
	if err == nil {
		err = os.WriteFile(path, b, 0o644)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "writing %s: %v\n", path, err)
	}
}
