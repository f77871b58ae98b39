package linearizability

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// soakDuration is SKIFF_SOAK_DURATION when SKIFF_SOAK=1 (make soak sets
// both), else 0: soak tests skip.
func soakDuration(t *testing.T) time.Duration {
	if os.Getenv("SKIFF_SOAK") != "1" {
		t.Skip("soak test: set SKIFF_SOAK=1 (and SKIFF_SOAK_DURATION), or run make soak DURATION=30m")
	}
	d, err := time.ParseDuration(os.Getenv("SKIFF_SOAK_DURATION"))
	if err != nil || d <= 0 {
		d = 10 * time.Minute
	}
	return d
}

// Random sequences of faults on three- and five-member clusters, run after
// run until the soak time is up, with snapshots every 500 entries and the
// members' disks on MemFS; every run's history is checked. A run
// lasts at most two minutes of traffic, so its history checks quickly and
// a failure points at a short window.
func TestSoakRandomFaults(t *testing.T) {
	total := soakDuration(t)
	deadline := time.Now().Add(total)
	for run := 0; time.Until(deadline) > 10*time.Second; run++ {
		size := []int{3, 5}[run%2]
		faults := []Fault{{"snapshot-catch-up", 3, snapshotCatchUp}}
		for _, f := range Faults {
			if size >= f.MinSize {
				faults = append(faults, f)
			}
		}
		traffic := min(2*time.Minute, max(total/4, 20*time.Second), time.Until(deadline)-5*time.Second)
		t.Run(fmt.Sprintf("run%d-%dmembers", run, size), func(t *testing.T) {
			runScenario(t, scenario{size: size, faults: faults, until: traffic, memFS: true, snapshotCount: 500, catchUp: 100})
		})
	}
}
