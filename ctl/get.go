package ctl

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"skiff/client"
)

// getCommand is "get <key>": GET key?quorum=&recursive=false&sorted=.
// A directory is refused with "<key>: is a directory" and exit 1
// (contract §5.3).
func (r *runner) getCommand() *cli.Command {
	return &cli.Command{
		Name:      "get",
		Usage:     "retrieve the value of a key",
		ArgsUsage: "<key>",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "sort", Usage: "returns result in sorted order"},
			&cli.BoolFlag{Name: "quorum", Aliases: []string{"q"}, Usage: "require quorum for get request"},
		},
		Action: r.keysAction(func(ctx context.Context, c *cli.Context, s *session) error {
			key, err := keyArg(c)
			if err != nil {
				return err
			}
			resp, err := s.cl.Get(ctx, key, &client.GetOptions{Sorted: c.Bool("sort"), Quorum: c.Bool("quorum")})
			if err != nil {
				return handleError(ExitServerError, err)
			}
			if resp.Node != nil && resp.Node.Dir {
				return exitf(ExitBadArgs, "%s: is a directory", resp.Node.Key)
			}
			r.printResponse(resp, s.g.output)
			return nil
		}),
	}
}

// lsCommand is "ls [key]" (default "/"). In simple format it prints the
// full keys of the children, depth first with -r, a "/" after directory
// names with -p, and a file's own key; other formats print the response
// (contract §5.3).
func (r *runner) lsCommand() *cli.Command {
	return &cli.Command{
		Name:      "ls",
		Usage:     "retrieve a directory",
		ArgsUsage: "[key]",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "sort", Usage: "returns result in sorted order"},
			&cli.BoolFlag{Name: "recursive", Aliases: []string{"r"}, Usage: "returns all key names recursively for the given path"},
			&cli.BoolFlag{Name: "p", Usage: "append slash (/) to directories"},
			&cli.BoolFlag{Name: "quorum", Aliases: []string{"q"}, Usage: "require quorum for get request"},
		},
		Action: r.keysAction(func(ctx context.Context, c *cli.Context, s *session) error {
			key := "/"
			if c.NArg() > 0 {
				key = c.Args().First()
			}
			resp, err := s.cl.Get(ctx, key, &client.GetOptions{
				Sorted: c.Bool("sort"), Recursive: c.Bool("recursive"), Quorum: c.Bool("quorum"),
			})
			if err != nil {
				return handleError(ExitServerError, err)
			}
			if s.g.output != formatSimple {
				r.printResponse(resp, s.g.output)
				return nil
			}
			if resp.Node != nil && !resp.Node.Dir {
				fmt.Fprintln(r.Stdout, resp.Node.Key)
			}
			if resp.Node != nil {
				r.printTree(resp.Node.Nodes, c.Bool("p"))
			}
			return nil
		}),
	}
}

// printTree prints each node's key and then its children's, depth first.
func (r *runner) printTree(nodes []*client.Node, slash bool) {
	for _, n := range nodes {
		if n.Dir && slash {
			fmt.Fprintf(r.Stdout, "%s/\n", n.Key)
		} else {
			fmt.Fprintln(r.Stdout, n.Key)
		}
		r.printTree(n.Nodes, slash)
	}
}
