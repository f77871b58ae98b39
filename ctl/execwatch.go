package ctl

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"

	"github.com/urfave/cli/v2"

	"skiff/client"
)

// execWatchCommand is "exec-watch <key> <command> [args...]": for every
// event on key, run the command with ETCD_WATCH_ACTION,
// ETCD_WATCH_MODIFIED_INDEX, ETCD_WATCH_KEY and ETCD_WATCH_VALUE added to
// its environment (contract §5.2). Commands run concurrently, as etcdctl
// runs them. Directory events print "Ignored dir <key> change" to stderr.
func (r *runner) execWatchCommand() *cli.Command {
	return &cli.Command{
		Name:      "exec-watch",
		Usage:     "watch a key for changes and exec an executable",
		ArgsUsage: "<key> <command> [args...]",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "after-index", Value: 0, Usage: "watch after the given index"},
			&cli.BoolFlag{Name: "recursive", Aliases: []string{"r"}, Usage: "watch all values for key and child keys"},
		},
		Action: r.execWatch,
	}
}

// execWatchArgs splits the arguments as etcdctl does. With a "--" after
// the first argument, the key comes first and the command after the "--".
// Otherwise the key is the last argument. Because flag parsing consumes a
// "--" that directly follows the flags, "exec-watch /k -- cmd" watches
// "cmd"'s last word in etcdctl 3.4 too; "exec-watch -r /k -- cmd" and
// "exec-watch cmd args /k" do what they say.
func execWatchArgs(args []string) (key string, cmd []string) {
	for i, a := range args {
		if a == "--" && i != 0 {
			return args[0], args[2:] // etcdctl assumes the "--" is second
		}
	}
	return args[len(args)-1], args[:len(args)-1]
}

// execWatch runs exec-watch until interrupted (exit 0) or a server error
// (exit 4). It waits for the commands it started before returning.
func (r *runner) execWatch(c *cli.Context) error {
	s, err := r.connect(c)
	if err != nil {
		return err
	}
	defer s.cl.Close()
	if c.NArg() < 2 {
		return badArgs("key and command to exec required")
	}
	key, argv := execWatchArgs(c.Args().Slice())
	if len(argv) == 0 {
		return badArgs("key and command to exec required")
	}
	w := s.cl.Watcher(key, &client.WatchOptions{AfterIndex: uint64(c.Int("after-index")), Recursive: c.Bool("recursive")})
	var running sync.WaitGroup
	defer running.Wait()
	out, errOut := &lockedWriter{w: r.Stdout}, &lockedWriter{w: r.Stderr}
	for {
		resp, err := nextEvent(r.ctx, w)
		if err != nil || resp == nil {
			return err
		}
		if resp.Node != nil && resp.Node.Dir {
			fmt.Fprintf(errOut, "Ignored dir %s change\n", resp.Node.Key)
			continue
		}
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = watchEnv(resp, os.Environ())
		cmd.Stdout, cmd.Stderr = out, errOut
		if err := cmd.Start(); err != nil {
			return exitRaw(ExitBadArgs, err.Error())
		}
		running.Add(1)
		go func() {
			defer running.Done()
			_ = cmd.Wait() // the command's own failure is its business, as with etcdctl
		}()
	}
}

// watchEnv adds the event's ETCD_WATCH_* variables to env.
func watchEnv(resp *client.Response, env []string) []string {
	n := resp.Node
	if n == nil {
		n = &client.Node{}
	}
	return append(env,
		"ETCD_WATCH_ACTION="+resp.Action,
		fmt.Sprintf("ETCD_WATCH_MODIFIED_INDEX=%d", n.ModifiedIndex),
		"ETCD_WATCH_KEY="+n.Key,
		"ETCD_WATCH_VALUE="+n.Value,
	)
}

// lockedWriter serialises writes from commands running at the same time.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
