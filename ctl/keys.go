package ctl

import (
	"context"

	"github.com/urfave/cli/v2"

	"skiff/client"
)

// keysFunc is the body of a keys command: it gets a synced session and a
// context bounded by --total-timeout.
type keysFunc func(ctx context.Context, c *cli.Context, s *session) error

// keysAction connects (syncing unless --no-sync) before looking at the
// arguments, in etcdctl's order, then runs fn.
func (r *runner) keysAction(fn keysFunc) cli.ActionFunc {
	return func(c *cli.Context) error {
		return r.withSession(c, func(ctx context.Context, s *session) error {
			return fn(ctx, c, s)
		})
	}
}

// withSession connects (syncing unless --no-sync), runs fn with a context
// bounded by --total-timeout, and closes the client.
func (r *runner) withSession(c *cli.Context, fn func(ctx context.Context, s *session) error) error {
	s, err := r.connect(c)
	if err != nil {
		return err
	}
	defer s.cl.Close()
	ctx, cancel := s.withTotalTimeout(r.ctx)
	defer cancel()
	return fn(ctx, s)
}

// printKeys prints resp in the -o format, or reports err as a server error
// (exit 4).
func (r *runner) printKeys(s *session, resp *client.Response, err error) error {
	if err != nil {
		return handleError(ExitServerError, err)
	}
	r.printResponse(resp, s.g.output)
	return nil
}

// printUnlessSimpleDir is printKeys for the directory commands, which print
// nothing in simple format when the node is a directory.
func (r *runner) printUnlessSimpleDir(s *session, resp *client.Response, err error) error {
	if err != nil {
		return handleError(ExitServerError, err)
	}
	if resp.Node == nil || !resp.Node.Dir || s.g.output != formatSimple {
		r.printResponse(resp, s.g.output)
	}
	return nil
}
