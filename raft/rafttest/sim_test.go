package rafttest

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	flagSeed  = flag.Uint64("sim.seed", 0, "run only this simulator seed")
	flagNodes = flag.Int("sim.nodes", 0, "cluster size for -sim.seed (3 if unset)")
	flagTicks = flag.Int("sim.ticks", 0, "fault-phase ticks for -sim.seed")
	flagTrace = flag.Bool("sim.trace", false, "print the trace of -sim.seed")
	flagCalm  = flag.Bool("sim.calm", false, "with -sim.seed: no faults and no fault phase, just one election and one entry")
)

// runSeed runs one simulation and fails the test with the seed, its derived
// parameters and the command that replays it.
func runSeed(t *testing.T, opts SimOptions) *Sim {
	t.Helper()
	sim, err := NewSim(opts)
	if err != nil {
		t.Fatalf("seed %d: %v", opts.Seed, err)
	}
	if err := sim.Run(); err != nil {
		t.Errorf("simulation failed: %v\n  %s\n  replay: go test ./raft/rafttest -run 'TestSimulation$' -sim.seed=%d -sim.nodes=%d -sim.ticks=%d -sim.trace -v",
			err, sim.Describe(), opts.Seed, sim.opts.Nodes, sim.opts.Ticks)
	}
	return sim
}

// TestSimulation runs many seeds on 3- and 5-node clusters with swarm
// faults (drops, duplicates, reordering, partitions, crash/restart), checking
// safety after every step and liveness after healing. With -sim.seed it
// replays one seed, printing its trace with -sim.trace.
func TestSimulation(t *testing.T) {
	if *flagSeed != 0 {
		opts := SimOptions{Seed: *flagSeed, Nodes: *flagNodes, Ticks: *flagTicks, Trace: *flagTrace}
		if *flagCalm {
			opts.Faults, opts.Ticks = &Faults{}, 1
		}
		sim := runSeed(t, opts)
		t.Logf("%s", sim.Describe())
		if *flagTrace {
			fmt.Print(sim.Trace())
		}
		return
	}
	seeds := 300
	for _, nodes := range []int{3, 5} {
		t.Run(fmt.Sprintf("nodes=%d", nodes), func(t *testing.T) {
			for seed := uint64(1); seed <= uint64(seeds); seed++ {
				runSeed(t, SimOptions{Seed: seed, Nodes: nodes})
				if t.Failed() {
					return
				}
			}
		})
	}
}

// TestSimulationSoak runs thousands of seeds; it is on only with SKIFF_SOAK=1
// (make soak sets SKIFF_SEEDS and SKIFF_SOAK_DURATION).
func TestSimulationSoak(t *testing.T) {
	if os.Getenv("SKIFF_SOAK") == "" {
		t.Skip("set SKIFF_SOAK=1 to run (make soak)")
	}
	seeds, _ := strconv.Atoi(os.Getenv("SKIFF_SEEDS"))
	if seeds == 0 {
		seeds = 5000
	}
	budget, err := time.ParseDuration(os.Getenv("SKIFF_SOAK_DURATION"))
	if err != nil {
		budget = 10 * time.Minute
	}
	deadline := time.Now().Add(budget)
	ran := 0
	for seed := uint64(1_000_000); seed < 1_000_000+uint64(seeds) && time.Now().Before(deadline); seed++ {
		nodes := 3 + 2*int(seed%2)
		runSeed(t, SimOptions{Seed: seed, Nodes: nodes, Ticks: 2000})
		if t.Failed() {
			return
		}
		ran++
	}
	t.Logf("%d seeds of 2000 ticks passed (from seed 1000000, alternating 3 and 5 nodes)", ran)
}

// TestSimulationCatchesSendBeforePersist proves the crash model is honest: a
// driver that sends a Ready's messages before persisting it, and may crash
// in between, must be caught by the checkers on some seed (typically a vote
// given twice in one term, or a lost acknowledged entry).
func TestSimulationCatchesSendBeforePersist(t *testing.T) {
	for seed := uint64(1); seed <= 200; seed++ {
		sim, err := NewSim(SimOptions{Seed: seed, Nodes: 3, UnsafeSendBeforePersist: true,
			Faults: &Faults{Drop: 0.05, MaxDelay: 3, Crash: 0.02, Restart: 0.2, Propose: 1, Heal: 0.1}})
		if err != nil {
			t.Fatal(err)
		}
		if err := sim.Run(); err != nil {
			t.Logf("seed %d caught the broken driver: %v", seed, err)
			return
		}
	}
	t.Fatal("200 seeds of a driver that sends before persisting passed every check; the crash model or the checkers are too weak")
}

// TestSimulationReplayIsByteIdentical runs seeds twice and requires the
// same trace, byte for byte: a failing seed is only useful if it replays.
func TestSimulationReplayIsByteIdentical(t *testing.T) {
	for _, seed := range []uint64{1, 7, 42, 1000662, 99991} {
		var traces [2]string
		for i := range traces {
			sim, err := NewSim(SimOptions{Seed: seed, Nodes: 5, Ticks: 300, Trace: true})
			if err != nil {
				t.Fatal(err)
			}
			_ = sim.Run() // a violation is fine here; the trace must still repeat
			traces[i] = sim.Trace()
		}
		if traces[0] != traces[1] {
			t.Fatalf("seed %d: two runs gave different traces (%d and %d bytes); something nondeterministic crept in",
				seed, len(traces[0]), len(traces[1]))
		}
		if len(traces[0]) < 1000 {
			t.Fatalf("seed %d: trace is only %d bytes; tracing is broken", seed, len(traces[0]))
		}
	}
}

// TestSimulationRegressionSeeds replays every seed in
// testdata/regression-seeds.txt.
func TestSimulationRegressionSeeds(t *testing.T) {
	f, err := os.Open("testdata/regression-seeds.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		var seed uint64
		var nodes, ticks int
		if _, err := fmt.Sscan(strings.Join(fields, " "), &seed, &nodes, &ticks); err != nil {
			t.Fatalf("regression-seeds.txt:%d: want \"seed nodes ticks\": %v", line, err)
		}
		runSeed(t, SimOptions{Seed: seed, Nodes: nodes, Ticks: ticks})
	}
}

// TestWalkthroughDocMatchesTrace keeps docs/raft.md honest: every trace
// line it quotes must appear in the trace of the command it gives
// (-sim.seed=1 -sim.calm).
func TestWalkthroughDocMatchesTrace(t *testing.T) {
	doc, err := os.ReadFile("../../docs/raft.md")
	if err != nil {
		t.Skipf("docs/raft.md not found: %v", err)
	}
	sim, err := NewSim(SimOptions{Seed: 1, Faults: &Faults{}, Ticks: 1, Trace: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Run(); err != nil {
		t.Fatal(err)
	}
	trace, quoted := sim.Trace(), 0
	for _, line := range strings.Split(string(doc), "\n") {
		if len(line) < 6 || !strings.HasPrefix(line, "   ") || line[3] < '0' || line[3] > '9' {
			continue
		}
		quoted++
		if !strings.Contains(trace, line+"\n") {
			t.Errorf("docs/raft.md quotes a line the simulator no longer prints:\n%s", line)
		}
	}
	if quoted < 20 {
		t.Fatalf("found only %d quoted trace lines in docs/raft.md", quoted)
	}
}
