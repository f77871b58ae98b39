package ctl

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"
)

// userCommand groups the v2 auth user commands (contract §4, §5.5). Each
// prints a one-line result; any failure prints the server's message and
// exits 1.
func (r *runner) userCommand() *cli.Command {
	roles := func() []cli.Flag {
		return []cli.Flag{&cli.StringSliceFlag{Name: "roles", Usage: "List of roles to grant or revoke"}}
	}
	return &cli.Command{
		Name:  "user",
		Usage: "user add, grant and revoke subcommands",
		Subcommands: []*cli.Command{
			{Name: "add", Usage: "add a new user for the etcd cluster", ArgsUsage: "<user>", Action: r.userAdd},
			{Name: "get", Usage: "get details for a user", ArgsUsage: "<user>", Action: r.userGet},
			{Name: "list", Usage: "list all current users", ArgsUsage: "<user>", Action: r.userList},
			{Name: "remove", Usage: "remove a user for the etcd cluster", ArgsUsage: "<user>", Action: r.userRemove},
			{Name: "grant", Usage: "grant roles to an etcd user", ArgsUsage: "<user>", Flags: roles(), Action: r.userGrant(true)},
			{Name: "revoke", Usage: "revoke roles for an etcd user", ArgsUsage: "<user>", Flags: roles(), Action: r.userGrant(false)},
			{Name: "passwd", Usage: "change password for a user", ArgsUsage: "<user>", Action: r.userPasswd},
		},
	}
}

// withAuthSession is withSession for the user, role and auth commands,
// which with --debug name the endpoints a second time, as etcdctl does.
func (r *runner) withAuthSession(c *cli.Context, fn func(ctx context.Context, s *session) error) error {
	return r.withSession(c, func(ctx context.Context, s *session) error {
		r.printEndpoints(s)
		return fn(ctx, s)
	})
}

// nameArg is the single user or role name a subcommand takes.
func nameArg(c *cli.Context, missing string) (string, error) {
	if c.NArg() != 1 {
		return "", exitf(ExitBadArgs, "%s", missing)
	}
	return c.Args().First(), nil
}

// userList prints every user name, sorted.
func (r *runner) userList(c *cli.Context) error {
	if c.NArg() != 0 {
		return exitf(ExitBadArgs, "No arguments accepted")
	}
	return r.withAuthSession(c, func(ctx context.Context, s *session) error {
		users, err := s.cl.Users(ctx)
		if err != nil {
			return plainError(err)
		}
		names := make([]string, len(users))
		for i, u := range users {
			names[i] = u.Name
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintln(r.Stdout, n)
		}
		return nil
	})
}

// userAdd creates "<user>[:password]", asking "New password: " when the
// password is not given. Adding an existing user resets its password.
func (r *runner) userAdd(c *cli.Context) error {
	arg, err := nameArg(c, "Please provide a username")
	if err != nil {
		return err
	}
	return r.withAuthSession(c, func(ctx context.Context, s *session) error {
		name, _, _ := strings.Cut(arg, ":")
		_, pass, err := r.userPassword(arg, "New password: ")
		if err != nil {
			return exitf(ExitBadArgs, "Error reading password: %v", err)
		}
		if err := s.cl.AddUser(ctx, name, pass); err != nil {
			return plainError(err)
		}
		fmt.Fprintf(r.Stdout, "User %s created\n", name)
		return nil
	})
}

// userGet prints "User: <name>" and "Roles: <role> <role>...".
func (r *runner) userGet(c *cli.Context) error {
	name, err := nameArg(c, "Please provide a username")
	if err != nil {
		return err
	}
	return r.withAuthSession(c, func(ctx context.Context, s *session) error {
		u, err := s.cl.GetUser(ctx, name)
		if err != nil {
			return plainError(err)
		}
		roles := make([]string, len(u.Roles))
		for i, role := range u.Roles {
			roles[i] = role.Name
		}
		fmt.Fprintf(r.Stdout, "User: %s\n", u.Name)
		fmt.Fprintf(r.Stdout, "Roles: %s\n", strings.Join(roles, " "))
		return nil
	})
}

// userRemove deletes a user.
func (r *runner) userRemove(c *cli.Context) error {
	name, err := nameArg(c, "Please provide a username")
	if err != nil {
		return err
	}
	return r.withAuthSession(c, func(ctx context.Context, s *session) error {
		if err := s.cl.RemoveUser(ctx, name); err != nil {
			return plainError(err)
		}
		fmt.Fprintf(r.Stdout, "User %s removed\n", name)
		return nil
	})
}

// userGrant returns the action of user grant (grant) or user revoke. Each
// --roles value is one role; "a,b" is not split (contract §5.2).
func (r *runner) userGrant(grant bool) cli.ActionFunc {
	return func(c *cli.Context) error {
		roles := c.StringSlice("roles")
		if len(roles) == 0 {
			return exitf(ExitBadArgs, "No roles specified; please use `--roles`")
		}
		name, err := nameArg(c, "Please provide a username")
		if err != nil {
			return err
		}
		return r.withAuthSession(c, func(ctx context.Context, s *session) error {
			if grant {
				err = s.cl.GrantUserRoles(ctx, name, roles)
			} else {
				err = s.cl.RevokeUserRoles(ctx, name, roles)
			}
			if err != nil {
				return plainError(err)
			}
			fmt.Fprintf(r.Stdout, "User %s updated\n", name)
			return nil
		})
	}
}

// userPasswd asks "New password: " and sets it.
func (r *runner) userPasswd(c *cli.Context) error {
	name, err := nameArg(c, "Please provide a username")
	if err != nil {
		return err
	}
	return r.withAuthSession(c, func(ctx context.Context, s *session) error {
		pass, err := r.askPassword("New password: ")
		if err != nil {
			return exitf(ExitBadArgs, "Error reading password: %v", err)
		}
		if err := s.cl.ChangePassword(ctx, name, pass); err != nil {
			return plainError(err)
		}
		fmt.Fprintf(r.Stdout, "Password updated\n")
		return nil
	})
}
