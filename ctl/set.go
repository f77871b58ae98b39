package ctl

import (
	"context"

	"github.com/urfave/cli/v2"

	"skiff/client"
)

// setCommand is "set <key> <value>": PUT key [?prevValue=&prevIndex=]
// -d "ttl=&value=" (contract §5.2). The value may come from stdin.
func (r *runner) setCommand() *cli.Command {
	return &cli.Command{
		Name:      "set",
		Usage:     "set the value of a key",
		ArgsUsage: "<key> <value>",
		Description: `Set sets the value of a key.

   When <value> begins with '-', <value> is interpreted as a flag.
   Insert '--' for workaround:

   $ set -- <key> <value>`,
		Flags: []cli.Flag{
			ttlFlagDef(),
			&cli.StringFlag{Name: "swap-with-value", Usage: "previous value"},
			&cli.IntFlag{Name: "swap-with-index", Value: 0, Usage: "previous index"},
		},
		Action: r.keysAction(func(ctx context.Context, c *cli.Context, s *session) error {
			key, value, err := r.keyValueArgs(c)
			if err != nil {
				return err
			}
			resp, err := s.cl.Set(ctx, key, value, &client.SetOptions{
				TTL:       ttlFlag(c),
				PrevValue: c.String("swap-with-value"),
				PrevIndex: uint64(c.Int("swap-with-index")),
			})
			return r.printKeys(s, resp, err)
		}),
	}
}

// updateCommand is "update <key> <value>": PUT key?prevExist=true. Without
// --ttl the key's TTL is cleared (contract §5.2).
func (r *runner) updateCommand() *cli.Command {
	return &cli.Command{
		Name:      "update",
		Usage:     "update an existing key with a given value",
		ArgsUsage: "<key> <value>",
		Flags:     []cli.Flag{ttlFlagDef()},
		Action: r.keysAction(func(ctx context.Context, c *cli.Context, s *session) error {
			key, value, err := r.keyValueArgs(c)
			if err != nil {
				return err
			}
			resp, err := s.cl.Update(ctx, key, value, ttlFlag(c))
			return r.printKeys(s, resp, err)
		}),
	}
}

// mkCommand is "mk <key> <value>": create only if absent
// (PUT key?prevExist=false), or with --in-order a new unique key under the
// directory key (POST key).
func (r *runner) mkCommand() *cli.Command {
	return &cli.Command{
		Name:      "mk",
		Usage:     "make a new key with a given value",
		ArgsUsage: "<key> <value>",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "in-order", Usage: "create in-order key under directory <key>"},
			ttlFlagDef(),
		},
		Action: r.keysAction(func(ctx context.Context, c *cli.Context, s *session) error {
			key, value, err := r.keyValueArgs(c)
			if err != nil {
				return err
			}
			var resp *client.Response
			if c.Bool("in-order") {
				resp, err = s.cl.CreateInOrder(ctx, key, value, ttlFlag(c))
			} else {
				resp, err = s.cl.Create(ctx, key, value, ttlFlag(c))
			}
			return r.printKeys(s, resp, err)
		}),
	}
}
