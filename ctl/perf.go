package ctl

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"
)

// perfConfig is one check perf run: how much load, of what mix, for how
// long. It drives skiff and etcd alike, since both speak the v2 API.
type perfConfig struct {
	clients   int           // concurrent workers, each with requests in flight one at a time
	duration  time.Duration // how long to run when count is 0
	count     int           // total operations; 0 means run for duration
	valueSize int           // bytes per written value
	keys      int           // writes and reads spread uniformly over this many keys
	prefix    string        // the directory the keys live under; removed at the end unless keep
	writes    int           // percentage of operations that are PUTs
	reads     int           // percentage that are plain GETs (served locally)
	quorum    int           // percentage that are quorum GETs (linearizable, through raft)
	keep      bool          // leave the keys behind
	spread    bool          // spread the workers over all endpoints instead of one member
	json      bool          // print the result as one JSON object
}

// validate names the first setting that cannot work and how to fix it.
func (p perfConfig) validate() error {
	switch {
	case p.clients < 1:
		return fmt.Errorf("--clients must be at least 1, got %d", p.clients)
	case p.count < 0:
		return fmt.Errorf("--count must not be negative, got %d", p.count)
	case p.count == 0 && p.duration <= 0:
		return fmt.Errorf("--duration must be positive when --count is 0, got %v", p.duration)
	case p.valueSize < 0:
		return fmt.Errorf("--value-size must not be negative, got %d", p.valueSize)
	case p.keys < 1:
		return fmt.Errorf("--keys must be at least 1, got %d", p.keys)
	case p.writes < 0 || p.reads < 0 || p.quorum < 0:
		return fmt.Errorf("--writes, --reads and --quorum-reads must not be negative")
	case p.writes+p.reads+p.quorum != 100:
		return fmt.Errorf("--writes, --reads and --quorum-reads must add up to 100, got %d+%d+%d=%d",
			p.writes, p.reads, p.quorum, p.writes+p.reads+p.quorum)
	case len(p.prefix) < 2 || p.prefix[0] != '/':
		return fmt.Errorf("--prefix must be a directory below the root such as /skiffctl-perf, got %q", p.prefix)
	}
	return nil
}

// checkCommand is "check perf", a load generator in the spirit of etcdctl
// check perf (v3), for the v2 API. See docs/skiffctl.md.
func (r *runner) checkCommand() *cli.Command {
	return &cli.Command{
		Name:  "check",
		Usage: "check the performance of the cluster",
		Subcommands: []*cli.Command{{
			Name:      "perf",
			Usage:     "put load on the cluster and report throughput and latency",
			ArgsUsage: " ",
			Flags: []cli.Flag{
				&cli.IntFlag{Name: "clients", Value: 16, Usage: "concurrent clients"},
				&cli.DurationFlag{Name: "duration", Value: 10 * time.Second, Usage: "how long to run (when --count is 0)"},
				&cli.IntFlag{Name: "count", Usage: "total operations to run instead of a duration"},
				&cli.IntFlag{Name: "value-size", Value: 256, Usage: "bytes per written value"},
				&cli.IntFlag{Name: "keys", Value: 1000, Usage: "number of distinct keys the load is spread over"},
				&cli.StringFlag{Name: "prefix", Value: "/skiffctl-perf", Usage: "directory for the test keys"},
				&cli.IntFlag{Name: "writes", Value: 50, Usage: "percentage of writes"},
				&cli.IntFlag{Name: "reads", Value: 40, Usage: "percentage of plain (local) reads"},
				&cli.IntFlag{Name: "quorum-reads", Value: 10, Usage: "percentage of quorum (linearizable) reads"},
				&cli.BoolFlag{Name: "keep", Usage: "do not remove the test keys at the end"},
				&cli.BoolFlag{Name: "spread", Usage: "spread the clients over every endpoint (after sync: every member) instead of one"},
				&cli.BoolFlag{Name: "json", Usage: "print the result as JSON"},
			},
			Action: r.checkPerf,
		}},
	}
}

// checkPerf reads the flags, runs the load and prints the report.
func (r *runner) checkPerf(c *cli.Context) error {
	if c.NArg() != 0 {
		return exitf(ExitBadArgs, "No arguments accepted")
	}
	cfg := perfConfig{
		clients: c.Int("clients"), duration: c.Duration("duration"), count: c.Int("count"),
		valueSize: c.Int("value-size"), keys: c.Int("keys"), prefix: c.String("prefix"),
		writes: c.Int("writes"), reads: c.Int("reads"), quorum: c.Int("quorum-reads"),
		keep: c.Bool("keep"), spread: c.Bool("spread"), json: c.Bool("json"),
	}
	if err := cfg.validate(); err != nil {
		return exitf(ExitBadArgs, "Error:  %v", err)
	}
	s, err := r.connect(c)
	if err != nil {
		return err
	}
	defer s.cl.Close()
	res, err := r.runPerf(s, cfg)
	if err != nil {
		return handleError(ExitServerError, err)
	}
	r.reportPerf(cfg, res)
	if res.total.count > 0 && res.total.errors == res.total.count {
		return exitf(ExitServerError, "Error:  every operation failed; the first error was: %v", res.firstErr)
	}
	return nil
}
