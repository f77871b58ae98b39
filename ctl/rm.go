package ctl

import (
	"context"

	"github.com/urfave/cli/v2"

	"skiff/client"
)

// rmCommand is "rm <key>": DELETE key?[dir][&recursive][&prevValue][&prevIndex].
// Simple format prints "PrevNode.Value: <old>" for a file and nothing for
// a directory (contract §5.3).
func (r *runner) rmCommand() *cli.Command {
	return &cli.Command{
		Name:      "rm",
		Usage:     "remove a key or a directory",
		ArgsUsage: "<key>",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "dir", Usage: "removes the key if it is an empty directory or a key-value pair"},
			&cli.BoolFlag{Name: "recursive", Aliases: []string{"r"}, Usage: "removes the key and all child keys(if it is a directory)"},
			&cli.StringFlag{Name: "with-value", Usage: "previous value"},
			&cli.IntFlag{Name: "with-index", Value: 0, Usage: "previous index"},
		},
		Action: r.keysAction(func(ctx context.Context, c *cli.Context, s *session) error {
			key, err := keyArg(c)
			if err != nil {
				return err
			}
			resp, err := s.cl.Delete(ctx, key, &client.DeleteOptions{
				Dir:       c.Bool("dir"),
				Recursive: c.Bool("recursive"),
				PrevValue: c.String("with-value"),
				PrevIndex: uint64(c.Int("with-index")),
			})
			return r.printUnlessSimpleDir(s, resp, err)
		}),
	}
}

// rmdirCommand is "rmdir <key>": DELETE key?dir=true, which removes an
// empty directory or a file.
func (r *runner) rmdirCommand() *cli.Command {
	return &cli.Command{
		Name:      "rmdir",
		Usage:     "removes the key if it is an empty directory or a key-value pair",
		ArgsUsage: "<key>",
		Action: r.keysAction(func(ctx context.Context, c *cli.Context, s *session) error {
			key, err := keyArg(c)
			if err != nil {
				return err
			}
			resp, err := s.cl.Delete(ctx, key, &client.DeleteOptions{Dir: true})
			return r.printUnlessSimpleDir(s, resp, err)
		}),
	}
}
