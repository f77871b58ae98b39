package ctl

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"
)

// authCommand is "auth enable" and "auth disable": PUT and DELETE
// /v2/auth/enable (contract §4, §5.5).
func (r *runner) authCommand() *cli.Command {
	return &cli.Command{
		Name:  "auth",
		Usage: "overall auth controls",
		Subcommands: []*cli.Command{
			{Name: "enable", Usage: "enable auth access controls", ArgsUsage: " ", Action: r.authSwitch(true)},
			{Name: "disable", Usage: "disable auth access controls", ArgsUsage: " ", Action: r.authSwitch(false)},
		},
	}
}

// authSwitch turns auth on (enable) or off and says so.
func (r *runner) authSwitch(enable bool) cli.ActionFunc {
	return func(c *cli.Context) error {
		if c.NArg() != 0 {
			return exitf(ExitBadArgs, "No arguments accepted")
		}
		return r.withAuthSession(c, func(ctx context.Context, s *session) error {
			var err error
			if enable {
				err = s.cl.EnableAuth(ctx)
			} else {
				err = s.cl.DisableAuth(ctx)
			}
			if err != nil {
				return plainError(err)
			}
			if enable {
				fmt.Fprintln(r.Stdout, "Authentication Enabled")
			} else {
				fmt.Fprintln(r.Stdout, "Authentication Disabled")
			}
			return nil
		})
	}
}
