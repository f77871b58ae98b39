package linearizability

import (
	"os"
	"testing"
	"time"
)

// TestRecheck checks a stored run again: SKIFF_RECHECK=<artifacts dir> (as
// a failing run prints it). The verdict is written to the same dir, with
// history.html. Use it after fixing a checker, to re-validate old reports.
func TestRecheck(t *testing.T) {
	dir := os.Getenv("SKIFF_RECHECK")
	if dir == "" {
		t.Skip("set SKIFF_RECHECK to an artifacts dir to check its history again")
	}
	run, err := LoadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	run.Timeout, run.Visual = 5*time.Minute, true
	res := Check(run)
	t.Logf("%d records; %s; HTML: %s", len(run.Records), res.Summary(), res.HTML)
	if res.Failed() {
		t.Fail()
	}
}
