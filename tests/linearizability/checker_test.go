package linearizability

import (
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"skiff/tests/cluster"
)

// check runs porcupine and the record-only checkers on records and an
// event log (the watchers' view is taken to be the log itself).
func check(t *testing.T, records []Record, log []Event) Result {
	t.Helper()
	final := map[string]string{}
	for k, s := range finalStates(log) {
		if s.Exists {
			final[k] = s.Value
		}
	}
	all := WatchLog{WatchSpec: WatchSpec{Key: "/", Recursive: true, Start: 1}, Events: log}
	return Check(Run{Records: records, Watches: []WatchLog{all}, Final: final, Timeout: 30 * time.Second})
}

func finalStates(log []Event) map[string]keyState {
	out := map[string]keyState{}
	for _, e := range log {
		out[e.Key] = stateAt([]Event{e}, e.Index)
	}
	return out
}

func wantFailure(t *testing.T, res Result, checker string) {
	t.Helper()
	if !res.Failed() {
		t.Fatalf("a planted violation passed every check: %s", res.Summary())
	}
	if checker == "porcupine" {
		if res.Verdict != porcupine.Illegal {
			t.Fatalf("porcupine said %s, want Illegal: %s", res.Verdict, res.Summary())
		}
		return
	}
	for _, v := range res.Violations {
		if v.Checker == checker {
			return
		}
	}
	t.Fatalf("no %s violation reported: %s", checker, res.Summary())
}

// Histories from a store that is linearizable pass every check, with
// many writes whose answer was lost.
func TestCheckersAcceptLinearizableHistories(t *testing.T) {
	for seed := range uint64(20) {
		records, log := simulate(seed, 8, 5, 200, 0.1)
		if res := check(t, records, log); res.Failed() {
			t.Fatalf("seed %d (replay: go test ./tests/linearizability -run TestCheckersAcceptLinearizableHistories): %s", seed, res.Summary())
		}
	}
}

// A large legal history over many keys checks quickly.
func TestCheckerIsFastOnManyKeys(t *testing.T) {
	records, log := simulate(7, 16, 40, 1000, 0.05)
	res := check(t, records, log)
	if res.Failed() {
		t.Fatal(res.Summary())
	}
	t.Logf("%d records: %s", len(records), res.Summary())
}

// w, r build records for the planted histories below.
func w(client int, kind Kind, key, value string, call, ret int64, idx uint64) Record {
	return Record{Client: client, Input: Input{Kind: kind, Key: key, Value: value}, Output: Output{Index: idx}, Call: call, Return: ret, EtcdIndex: idx}
}

func r(client int, key, value string, call, ret int64, idx, etcdIndex uint64) Record {
	rec := Record{Client: client, Input: Input{Kind: Get, Key: key}, Output: Output{Value: value, Index: idx}, Call: call, Return: ret, Quorum: true, EtcdIndex: etcdIndex}
	if value == "" {
		rec.Output = Output{Code: 100}
	}
	return rec
}

func ev(idx uint64, key, value, prev string) Event {
	return Event{Index: idx, Key: key, Action: "set", Value: value, PrevValue: prev}
}

// A quorum read that returns a value overwritten before the read began is
// a stale read.
func TestCheckerFindsStaleQuorumRead(t *testing.T) {
	records := []Record{
		w(0, Set, "/a", "v1", 0, 10, 5),
		w(0, Set, "/a", "v2", 20, 30, 6),
		r(1, "/a", "v1", 40, 50, 5, 6),
	}
	wantFailure(t, check(t, records, []Event{ev(5, "/a", "v1", ""), ev(6, "/a", "v2", "v1")}), "porcupine")
}

// An acknowledged write that a later read does not see, and that no member
// has, is a lost write.
func TestCheckerFindsLostWrite(t *testing.T) {
	records := []Record{
		w(0, Set, "/a", "v1", 0, 10, 5),
		w(0, Set, "/a", "v2", 20, 30, 6),
		r(1, "/a", "v1", 40, 50, 5, 7),
	}
	// The log, like the members, never got v2.
	log := []Event{ev(5, "/a", "v1", "")}
	res := check(t, records, log)
	wantFailure(t, res, "porcupine")
	wantFailure(t, res, "acknowledged-write")
}

// A write applied twice shows up as its value coming back after it was
// overwritten, and as two answers with the same index.
func TestCheckerFindsDuplicatedWrite(t *testing.T) {
	records := []Record{
		w(0, Set, "/a", "v1", 0, 10, 5),
		w(1, Set, "/a", "v2", 20, 30, 6),
		r(2, "/a", "v1", 40, 50, 7, 7), // v1 again, at a new index
	}
	wantFailure(t, check(t, records, []Event{ev(5, "/a", "v1", ""), ev(6, "/a", "v2", "v1"), ev(7, "/a", "v1", "v2")}), "porcupine")

	dup := []Record{w(0, Set, "/a", "v1", 0, 10, 5), w(1, Set, "/b", "w1", 0, 10, 5)}
	wantFailure(t, check(t, dup, []Event{ev(5, "/a", "v1", "")}), "unique-index")
}

// A write that began after another was acknowledged but got a smaller
// index means the index went backwards (after a crash, say).
func TestCheckerFindsIndexGoingBackwards(t *testing.T) {
	records := []Record{
		w(0, Set, "/a", "v1", 0, 10, 9),
		w(1, Set, "/b", "w1", 20, 30, 8),
	}
	res := check(t, records, []Event{ev(8, "/b", "w1", ""), ev(9, "/a", "v1", "")})
	wantFailure(t, res, "real-time-index")

	q := []Record{w(0, Set, "/a", "v1", 0, 10, 9), r(1, "/a", "v1", 20, 30, 9, 8)}
	wantFailure(t, check(t, q, []Event{ev(9, "/a", "v1", "")}), "real-time-index")
}

// A plain GET that does not show the key as it was at the X-Etcd-Index it
// reports is caught.
func TestCheckerFindsBadPlainRead(t *testing.T) {
	plain := r(1, "/a", "v1", 40, 50, 5, 6)
	plain.Quorum = false
	records := []Record{w(0, Set, "/a", "v1", 0, 10, 5), w(0, Set, "/a", "v2", 20, 30, 6), plain}
	wantFailure(t, check(t, records, []Event{ev(5, "/a", "v1", ""), ev(6, "/a", "v2", "v1")}), "stale-read")

	// The same read reporting index 5 is a legal stale read.
	plain.EtcdIndex = 5
	records[2] = plain
	if res := check(t, records, []Event{ev(5, "/a", "v1", ""), ev(6, "/a", "v2", "v1")}); res.Failed() {
		t.Fatal(res.Summary())
	}
}

// Watchers that skip, repeat or reorder events are caught, as are
// watchers disagreeing about an index.
func TestCheckerFindsWatchGapsRepeatsAndDisagreements(t *testing.T) {
	log := []Event{ev(5, "/a", "v1", ""), ev(6, "/a", "v2", "v1"), ev(8, "/b", "w", "")}
	cases := map[string][]Event{
		"gap":      {log[0], log[2]},
		"repeat":   {log[0], log[1], log[1], log[2]},
		"reorder":  {log[1], log[0], log[2]},
		"short":    {log[0], log[1]},
		"disagree": {log[0], ev(6, "/a", "other", "v1"), log[2]},
	}
	spec := WatchSpec{Key: "/", Recursive: true, Start: 1}
	full := WatchLog{WatchSpec: spec, Events: log}
	for name, got := range cases {
		vs := CheckWatches([]WatchLog{full, {WatchSpec: spec, Events: got}}, MergeEvents([]WatchLog{full}), 0)
		if len(vs) == 0 {
			t.Errorf("%s: no violation for watcher events %v", name, got)
		}
	}
	if vs := CheckWatches([]WatchLog{full, full}, log, 0); len(vs) > 0 {
		t.Fatalf("identical watchers: %v", vs)
	}
	// A watcher on one key sees only that key's events, and must see all
	// of them.
	one := WatchSpec{Key: "/a", Start: 1}
	if vs := CheckWatches([]WatchLog{{WatchSpec: one, Events: log[:2]}}, log, 0); len(vs) > 0 {
		t.Fatalf("a watcher of /a that saw /a's events: %v", vs)
	}
	if vs := CheckWatches([]WatchLog{{WatchSpec: one, Events: log[1:2]}}, log, 0); len(vs) == 0 {
		t.Fatal("a watcher of /a that missed /a's first event passed")
	}
}

// Randomized planted violations: a late read of a value never written is
// always found, however the rest of the history looks.
func TestCheckerFindsPlantedBadReadInRandomHistories(t *testing.T) {
	for seed := range uint64(10) {
		records, log := simulate(seed, 8, 5, 200, 0.05)
		for i := len(records) - 1; i >= 0; i-- {
			if records[i].Input.Kind == Get && records[i].Output.Code == 0 {
				records[i].Output.Value = "never-written"
				break
			}
		}
		res := check(t, records, log)
		if res.Verdict != porcupine.Illegal {
			t.Fatalf("seed %d: planted bad read not found: %s", seed, res.Summary())
		}
	}
}

// Porcupine's Unknown (it ran out of time) is a failure, never a pass.
func TestUnknownVerdictFails(t *testing.T) {
	if !(Result{Verdict: porcupine.Unknown}).Failed() {
		t.Fatal("an Unknown verdict counts as a pass")
	}
	if !strings.Contains(Result{Verdict: porcupine.Unknown}.Summary(), "Unknown") {
		t.Fatal("the summary hides the Unknown verdict")
	}
}

// The whole pipeline finds a real stale read: with the leader isolated,
// plain GETs served by it, recorded as if they were quorum reads, show
// values the majority has already overwritten, and porcupine says Illegal.
// (A few attempts, because whether a stale read happens depends on timing.)
func TestCheckerFindsRealStaleReadsFromIsolatedLeader(t *testing.T) {
	for attempt := range 3 {
		var res Result
		t.Run("attempt", func(t *testing.T) {
			res = runScenario(t, scenario{size: 3, faults: []Fault{faultByName(t, "isolate-leader")}, plainAsQuorum: true})
		})
		if res.Verdict == porcupine.Illegal {
			t.Logf("attempt %d: caught: %s", attempt, res.Summary())
			return
		}
		t.Logf("attempt %d: no stale read happened: %s", attempt, res.Summary())
	}
	t.Fatal("3 runs with plain reads passed off as quorum reads under an isolated leader, and porcupine never said Illegal")
}

// A value written once but applied twice is caught from the event log
// alone, even when no read saw it come back.
func TestCheckerFindsWriteAppliedTwice(t *testing.T) {
	records := []Record{w(0, Set, "/a", "v1", 0, 10, 5)}
	log := []Event{ev(5, "/a", "v1", ""), ev(6, "/a", "v1", "v1")}
	wantFailure(t, check(t, records, log), "applied-once")
}

// The whole pipeline catches a write applied twice on a real cluster: with
// forwarded proposals duplicated in the network (a fault TCP never makes),
// a write is appended and applied twice.
func TestCheckerFindsRealDuplicatedProposals(t *testing.T) {
	dup := Fault{"duplicate-proposals", 3, messageFaults("deliver 50% of raft messages twice, proposals included",
		cluster.MessageFaults{Duplicate: 0.5, DuplicateProposals: true})}
	res := runScenario(t, scenario{size: 3, faults: []Fault{dup}, plantedBug: true})
	for _, v := range res.Violations {
		if v.Checker == "applied-once" {
			return
		}
	}
	t.Fatalf("no write applied twice was found: %s", res.Summary())
}

// Where every watcher skipped a range (each restarted from the present
// after error 401), the event log has a gap: writes in it are not reported
// lost, but a range one watcher still covered is no gap.
func TestLogGapsOnlyWhereNoWatcherLooked(t *testing.T) {
	spec := WatchSpec{Key: "/", Recursive: true, Start: 1}
	a := WatchLog{WatchSpec: spec, Events: []Event{ev(5, "/a", "v1", ""), {Index: 9, Key: "/b", Action: "set", Value: "w", Reset: true}}}
	b := WatchLog{WatchSpec: spec, Events: []Event{ev(5, "/a", "v1", ""), {Index: 8, Key: "/b", Action: "set", Value: "u", Reset: true}, ev(9, "/b", "w", "u")}}
	g := logGaps([]WatchLog{a, b})
	if len(g) != 1 || g[0] != [2]uint64{6, 7} {
		t.Fatalf("gaps = %v, want [[6 7]]", g)
	}
	records := []Record{w(0, Set, "/c", "x", 0, 10, 6)}
	if vs := checkAcknowledgedInLog(records, MergeEvents([]WatchLog{a, b}), g); len(vs) > 0 {
		t.Fatalf("a write inside a gap was reported: %v", vs)
	}
	if vs := checkAcknowledgedInLog(records, MergeEvents([]WatchLog{a, b}), nil); len(vs) == 0 {
		t.Fatal("without the gap the missing write went unreported")
	}
}
