package linearizability

import (
	"testing"
)

// faultByName finds a fault in Faults.
func faultByName(t *testing.T, name string) Fault {
	for _, f := range Faults {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no fault %q", name)
	return Fault{}
}

// Under each fault alone, on three members, the history of a concurrent
// workload is linearizable and passes every other checker. The members'
// disks are MemFS, so crashes lose what was not fsynced.
func TestRobustness(t *testing.T) {
	for _, f := range Faults {
		t.Run(f.Name, func(t *testing.T) {
			runScenario(t, scenario{size: 3, faults: []Fault{f}, memFS: true})
		})
	}
}

// With no fault at all, one member and three: the baseline.
func TestRobustnessNoFault(t *testing.T) {
	for _, size := range []int{1, 3} {
		t.Run(map[int]string{1: "one-member", 3: "three-members"}[size], func(t *testing.T) {
			runScenario(t, scenario{size: size})
		})
	}
}

// A single member killed, or losing power with what it had not fsynced,
// loses no acknowledged write: etcd #14370's scenario.
func TestRobustnessOneMemberKilled(t *testing.T) {
	runScenario(t, scenario{size: 1, memFS: true, faults: []Fault{
		faultByName(t, "kill-leader"), faultByName(t, "crash-leader-losing-unsynced"), faultByName(t, "power-failure"),
	}})
}

// With snapshots every 200 entries (keeping 50 behind), a follower cut off
// until the leader compacted past it catches up by snapshot, and members
// killed and restarted come back from their snapshots, all under load.
func TestRobustnessSnapshots(t *testing.T) {
	runScenario(t, scenario{size: 3, snapshotCount: 200, catchUp: 50, faults: []Fault{
		{"snapshot-catch-up", 3, snapshotCatchUp}, faultByName(t, "kill-follower"), faultByName(t, "kill-all"),
	}})
}
