package ctl

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"skiff/client"
)

// watchCommand is "watch <key>": GET key?recursive=..&wait=true
// [&waitIndex=N+1], printing the first event (every event with --forever)
// in the -o format; with -r each event is preceded by "[<action>] <key>".
// Directory events are skipped. Interrupting it exits 0; a server error
// exits 4 (contract §5.2, §5.3).
func (r *runner) watchCommand() *cli.Command {
	return &cli.Command{
		Name:      "watch",
		Usage:     "watch a key for changes",
		ArgsUsage: "<key>",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "forever", Aliases: []string{"f"}, Usage: "forever watch a key until CTRL+C"},
			&cli.IntFlag{Name: "after-index", Value: 0, Usage: "watch after the given index"},
			&cli.BoolFlag{Name: "recursive", Aliases: []string{"r"}, Usage: "returns all values for key and child keys"},
		},
		Action: r.watch,
	}
}

// watch runs the watch command; it has no total timeout.
func (r *runner) watch(c *cli.Context) error {
	s, err := r.connect(c)
	if err != nil {
		return err
	}
	defer s.cl.Close()
	key, err := keyArg(c)
	if err != nil {
		return err
	}
	recursive := c.Bool("recursive")
	w := s.cl.Watcher(key, &client.WatchOptions{AfterIndex: uint64(c.Int("after-index")), Recursive: recursive})
	for {
		resp, err := nextEvent(r.ctx, w)
		if err != nil || resp == nil {
			return err
		}
		if resp.Node != nil && resp.Node.Dir {
			continue
		}
		if recursive {
			fmt.Fprintf(r.Stdout, "[%s] %s\n", resp.Action, resp.Node.Key)
		}
		r.printResponse(resp, s.g.output)
		if !c.Bool("forever") {
			return nil
		}
	}
}

// nextEvent waits for the next event. It returns nil, nil when the run is
// cancelled (SIGINT: exit 0) and a server error (exit 4) otherwise.
func nextEvent(ctx context.Context, w *client.Watcher) (*client.Response, error) {
	resp, err := w.Next(ctx)
	if ctx.Err() != nil {
		return nil, nil
	}
	if err != nil {
		return nil, handleError(ExitServerError, err)
	}
	return resp, nil
}
