package rafttest

import (
	"fmt"
	"math/rand/v2"
)

// Faults are the fault rates of one simulation run. SwarmFaults derives them
// from the seed, so that across seeds the simulator explores calm runs,
// lossy ones, partition-heavy ones and crash-heavy ones (swarm testing).
type Faults struct {
	Drop      float64 // chance a message is lost
	Duplicate float64 // chance a message is delivered twice
	MaxDelay  int     // delays are 1..MaxDelay steps, which reorders messages

	Partition float64 // chance per tick that the network is re-partitioned
	OneWay    float64 // chance that a new partition is one-way
	Heal      float64 // chance per tick that partitions heal
	Crash     float64 // chance per tick that a live node crashes
	// CrashLeader is the chance per tick that the leader crashes: leader
	// churn with uncommitted entries is what Figure 8 is made of.
	CrashLeader float64
	Restart     float64 // chance per tick that a crashed node restarts
	Propose     float64 // chance per tick that a client proposes

	// OneEntryPerMsg sets MaxSizePerMsg to 1 byte, so each AppendEntries
	// carries one entry and followers often hold a prefix of a batch.
	OneEntryPerMsg bool
	// DisablePreVote and DisableCheckQuorum run the cluster without those
	// defaults: elections are more frequent and more disruptive, which is
	// where Figure 8-style interleavings live.
	DisablePreVote     bool
	DisableCheckQuorum bool
	// StepDuringReady makes the driver deliver messages between taking a
	// Ready and calling Advance, as a driver that persists in the
	// background does; entries handed out may then be replaced before they
	// are acknowledged.
	StepDuringReady bool

	// The workload beyond proposals (sim_membership.go), per tick.
	ConfChange float64 // chance an operator proposes a membership change
	Snapshot   float64 // chance a node snapshots and compacts its log
	ReadIndex  float64 // chance a client asks for a linearizable read
	Transfer   float64 // chance that, instead, a leader transfers leadership
}

func (f Faults) String() string {
	return fmt.Sprintf("drop=%.2f dup=%.2f maxDelay=%d partition=%.3f oneWay=%.2f heal=%.3f crash=%.3f crashLeader=%.3f restart=%.3f propose=%.2f oneEntryPerMsg=%v noPreVote=%v noCheckQuorum=%v stepDuringReady=%v confChange=%.3f snapshot=%.3f readIndex=%.2f transfer=%.2f",
		f.Drop, f.Duplicate, f.MaxDelay, f.Partition, f.OneWay, f.Heal, f.Crash, f.CrashLeader, f.Restart, f.Propose, f.OneEntryPerMsg, f.DisablePreVote, f.DisableCheckQuorum, f.StepDuringReady,
		f.ConfChange, f.Snapshot, f.ReadIndex, f.Transfer)
}

// SwarmFaults picks a fault profile from r.
func SwarmFaults(r *rand.Rand) Faults {
	pick := func(vals ...float64) float64 { return vals[r.IntN(len(vals))] }
	f := Faults{
		Drop:               pick(0, 0.02, 0.1, 0.3),
		Duplicate:          pick(0, 0.02, 0.1),
		MaxDelay:           []int{1, 2, 4, 12}[r.IntN(4)],
		Partition:          pick(0, 0.01, 0.05),
		OneWay:             pick(0, 0.3),
		Heal:               pick(0.02, 0.1),
		Crash:              pick(0, 0.005, 0.02),
		CrashLeader:        pick(0, 0, 0.02, 0.05),
		Restart:            pick(0.05, 0.2),
		Propose:            pick(0.2, 0.5, 1),
		OneEntryPerMsg:     r.IntN(2) == 0,
		DisablePreVote:     r.IntN(2) == 0,
		DisableCheckQuorum: r.IntN(2) == 0,
		StepDuringReady:    r.IntN(2) == 0,
	}
	// Drawn after the others, so that adding them left every older
	// field's value for a seed as it was.
	f.ConfChange = pick(0, 0.005, 0.02)
	f.Snapshot = pick(0, 0.01, 0.05)
	f.ReadIndex = pick(0, 0.1, 0.5)
	f.Transfer = pick(0, 0.05)
	return f
}
