package ctl

import (
	"context"
	"fmt"
	"path"
	"reflect"
	"sort"

	"github.com/urfave/cli/v2"

	"skiff/client"
)

// roleCommand groups the v2 auth role commands (contract §4, §5.5).
func (r *runner) roleCommand() *cli.Command {
	permFlags := func(grant bool) []cli.Flag {
		path, read, write, rw := "Path granted for the role to access", "Grant read-only access", "Grant write-only access", "Grant read-write access"
		if !grant {
			path, read, write, rw = "Path revoked for the role to access", "Revoke read access", "Revoke write access", "Revoke read-write access"
		}
		return []cli.Flag{
			&cli.StringFlag{Name: "path", Usage: path},
			&cli.BoolFlag{Name: "read", Usage: read},
			&cli.BoolFlag{Name: "write", Usage: write},
			&cli.BoolFlag{Name: "readwrite", Aliases: []string{"rw"}, Usage: rw},
		}
	}
	return &cli.Command{
		Name:  "role",
		Usage: "role add, grant and revoke subcommands",
		Subcommands: []*cli.Command{
			{Name: "add", Usage: "add a new role for the etcd cluster", ArgsUsage: "<role> ", Action: r.roleAdd},
			{Name: "get", Usage: "get details for a role", ArgsUsage: "<role>", Action: r.roleGet},
			{Name: "list", Usage: "list all roles", ArgsUsage: " ", Action: r.roleList},
			{Name: "remove", Usage: "remove a role from the etcd cluster", ArgsUsage: "<role>", Action: r.roleRemove},
			{Name: "grant", Usage: "grant path matches to an etcd role", ArgsUsage: "<role>", Flags: permFlags(true), Action: r.roleGrant(true)},
			{Name: "revoke", Usage: "revoke path matches for an etcd role", ArgsUsage: "<role>", Flags: permFlags(false), Action: r.roleGrant(false)},
		},
	}
}

// roleList prints every role name, sorted.
func (r *runner) roleList(c *cli.Context) error {
	if c.NArg() != 0 {
		return exitf(ExitBadArgs, "No arguments accepted")
	}
	return r.withAuthSession(c, func(ctx context.Context, s *session) error {
		roles, err := s.cl.Roles(ctx)
		if err != nil {
			return plainError(err)
		}
		names := make([]string, len(roles))
		for i, role := range roles {
			names[i] = role.Name
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintln(r.Stdout, n)
		}
		return nil
	})
}

// roleAdd creates a role, refusing one that already exists.
func (r *runner) roleAdd(c *cli.Context) error {
	name, err := nameArg(c, "Please provide a role name")
	if err != nil {
		return err
	}
	return r.withAuthSession(c, func(ctx context.Context, s *session) error {
		if role, _ := s.cl.GetRole(ctx, name); role != nil {
			return exitf(ExitBadArgs, "Role %s already exists", name)
		}
		if err := s.cl.AddRole(ctx, name); err != nil {
			return plainError(err)
		}
		fmt.Fprintf(r.Stdout, "Role %s created\n", name)
		return nil
	})
}

// roleGet prints "Role: <name>", then "KV Read:" and "KV Write:", each
// followed by its patterns indented by a tab.
func (r *runner) roleGet(c *cli.Context) error {
	name, err := nameArg(c, "Please provide a role name")
	if err != nil {
		return err
	}
	return r.withAuthSession(c, func(ctx context.Context, s *session) error {
		role, err := s.cl.GetRole(ctx, name)
		if err != nil {
			return plainError(err)
		}
		fmt.Fprintf(r.Stdout, "Role: %s\n", role.Name)
		fmt.Fprintf(r.Stdout, "KV Read:\n")
		for _, p := range role.Permissions.KV.Read {
			fmt.Fprintf(r.Stdout, "\t%s\n", p)
		}
		fmt.Fprintf(r.Stdout, "KV Write:\n")
		for _, p := range role.Permissions.KV.Write {
			fmt.Fprintf(r.Stdout, "\t%s\n", p)
		}
		return nil
	})
}

// roleRemove deletes a role.
func (r *runner) roleRemove(c *cli.Context) error {
	name, err := nameArg(c, "Please provide a role name")
	if err != nil {
		return err
	}
	return r.withAuthSession(c, func(ctx context.Context, s *session) error {
		if err := s.cl.RemoveRole(ctx, name); err != nil {
			return plainError(err)
		}
		fmt.Fprintf(r.Stdout, "Role %s removed\n", name)
		return nil
	})
}

// rolePermissions checks role grant/revoke's flags before connecting:
// a canonical --path and exactly one of --read, --write, --readwrite.
func rolePermissions(c *cli.Context) (client.Permissions, error) {
	p := c.String("path")
	if p == "" {
		return client.Permissions{}, exitf(ExitBadArgs, "No path specified; please use `--path`")
	}
	if canon := canonicalPath(p); canon != p {
		return client.Permissions{}, exitf(ExitBadArgs, "Not canonical path; please use `--path=%s`", canon)
	}
	var perms client.Permissions
	count := 0
	if c.Bool("read") {
		perms.KV.Read, count = []string{p}, count+1
	}
	if c.Bool("write") {
		perms.KV.Write, count = []string{p}, count+1
	}
	if c.Bool("readwrite") {
		perms.KV.Read, perms.KV.Write, count = []string{p}, []string{p}, count+1
	}
	if count != 1 {
		return client.Permissions{}, exitf(ExitBadArgs, "Please specify exactly one of --read, --write or --readwrite")
	}
	return perms, nil
}

// canonicalPath cleans p as etcd's CanonicalURLPath does: a leading "/",
// no "//", "." or "..", and a trailing "/" kept.
func canonicalPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	clean := path.Clean(p)
	if p[len(p)-1] == '/' && clean != "/" {
		clean += "/"
	}
	return clean
}

// roleGrant returns the action of role grant (grant) or role revoke. When
// the role comes back unchanged it says so first, without a newline, as
// etcdctl does.
func (r *runner) roleGrant(grant bool) cli.ActionFunc {
	return func(c *cli.Context) error {
		perms, err := rolePermissions(c)
		if err != nil {
			return err
		}
		name, err := nameArg(c, "Please provide a role name")
		if err != nil {
			return err
		}
		return r.withAuthSession(c, func(ctx context.Context, s *session) error {
			before, err := s.cl.GetRole(ctx, name)
			if err != nil {
				return plainError(err)
			}
			var after *client.Role
			if grant {
				after, err = s.cl.GrantRole(ctx, name, perms)
			} else {
				after, err = s.cl.RevokeRole(ctx, name, perms)
			}
			if err != nil {
				return plainError(err)
			}
			if reflect.DeepEqual(after, before) {
				if grant {
					fmt.Fprint(r.Stdout, "Role unchanged; already granted")
				} else {
					fmt.Fprint(r.Stdout, "Role unchanged; already revoked")
				}
			}
			fmt.Fprintf(r.Stdout, "Role %s updated\n", name)
			return nil
		})
	}
}
