package linearizability

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Seed returns the seed of a randomized run: SKIFF_SEED when set (to
// replay a failure), else a fresh one. The test logs it either way.
func Seed(t testing.TB) uint64 {
	if s := os.Getenv("SKIFF_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("SKIFF_SEED=%q is not a number", s)
		}
		return n
	}
	return uint64(time.Now().UnixNano())
}

// ArtifactsDir makes the directory a run keeps its data dirs, logs, JSON
// history and HTML in: under $SKIFF_ARTIFACTS (default: the system temp
// dir, skiff-artifacts/), named after the test and seed. It is removed
// when the test passes, unless SKIFF_KEEP_ARTIFACTS is set. Register it
// before the cluster, so the cluster stops before the removal.
func ArtifactsDir(t testing.TB, seed uint64) string {
	base := os.Getenv("SKIFF_ARTIFACTS")
	if base == "" {
		base = filepath.Join(os.TempDir(), "skiff-artifacts")
	}
	name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	dir := filepath.Join(base, fmt.Sprintf("%s-%d", name, seed))
	os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !t.Failed() && os.Getenv("SKIFF_KEEP_ARTIFACTS") == "" {
			os.RemoveAll(dir)
		}
	})
	return dir
}

// ReplayHint is what a failing run prints: the seed, the command that runs
// it again, and where its artifacts are. Runs over a real network are not
// deterministic, so the seed fixes the workload and the fault schedule,
// not the interleaving.
func ReplayHint(t testing.TB, pkg string, seed uint64, dir string) string {
	return fmt.Sprintf("seed %d; replay: SKIFF_SEED=%d go test %s -run '^%s$' -count=1 -v\nartifacts in %s (history.html, history.json, events.json, data/ with each member's data dir and log)",
		seed, seed, pkg, regexpName(t.Name()), dir)
}

func regexpName(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + p + "$"
	}
	return strings.TrimSuffix(strings.TrimPrefix(strings.Join(parts, "/"), "^"), "$")
}
