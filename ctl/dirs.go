package ctl

import (
	"context"
	"time"

	"github.com/urfave/cli/v2"

	"skiff/client"
)

// dirCommand builds mkdir, setdir and updatedir: each takes <key> and
// --ttl, sends one directory write, and prints nothing in simple format
// (contract §5.2, §5.3).
func (r *runner) dirCommand(name, usage, argsUsage string,
	write func(cl *client.Client, ctx context.Context, key string, ttl time.Duration) (*client.Response, error)) *cli.Command {
	return &cli.Command{
		Name:      name,
		Usage:     usage,
		ArgsUsage: argsUsage,
		Flags:     []cli.Flag{ttlFlagDef()},
		Action: r.keysAction(func(ctx context.Context, c *cli.Context, s *session) error {
			key, err := keyArg(c)
			if err != nil {
				return err
			}
			resp, err := write(s.cl, ctx, key, ttlFlag(c))
			if err != nil {
				return handleError(ExitServerError, err)
			}
			if s.g.output != formatSimple {
				r.printResponse(resp, s.g.output)
			}
			return nil
		}),
	}
}

// mkdirCommand is "mkdir <key>": PUT key?dir=true&prevExist=false.
func (r *runner) mkdirCommand() *cli.Command {
	return r.dirCommand("mkdir", "make a new directory", "<key>", (*client.Client).Mkdir)
}

// setdirCommand is "setdir <key>": PUT key?dir=true. Despite its usage
// line (kept from etcdctl), an existing directory gives error 102.
func (r *runner) setdirCommand() *cli.Command {
	return r.dirCommand("setdir", "create a new directory or update an existing directory TTL", "<key>", (*client.Client).SetDir)
}

// updatedirCommand is "updatedir <key>": PUT key?dir=true&prevExist=true.
func (r *runner) updatedirCommand() *cli.Command {
	return r.dirCommand("updatedir", "update an existing directory", "<key> <value>", (*client.Client).UpdateDir)
}
