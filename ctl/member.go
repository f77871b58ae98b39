package ctl

import (
	"context"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// memberCommand groups member list, add, remove and update, which speak
// to /v2/members and print exactly what etcdctl prints (contract §5.5).
// Each checks its arguments before connecting, as etcdctl does.
func (r *runner) memberCommand() *cli.Command {
	return &cli.Command{
		Name:  "member",
		Usage: "member add, remove and list subcommands",
		Subcommands: []*cli.Command{
			{Name: "list", Usage: "enumerate existing cluster members", ArgsUsage: " ", Action: r.memberList},
			{Name: "add", Usage: "add a new member to the etcd cluster", ArgsUsage: "<name> <peerURL>", Action: r.memberAdd},
			{Name: "remove", Usage: "remove an existing member from the etcd cluster", ArgsUsage: "<memberID>", Action: r.memberRemove},
			{Name: "update", Usage: "update an existing member in the etcd cluster", ArgsUsage: "<memberID> <peerURLs>", Action: r.memberUpdate},
		},
	}
}

// memberList prints one line per member, marking the leader; a member that
// has not started shows as "<id>[unstarted]: peerURLs=...".
func (r *runner) memberList(c *cli.Context) error {
	if c.NArg() != 0 {
		return exitf(ExitBadArgs, "No arguments accepted")
	}
	return r.withSession(c, func(ctx context.Context, s *session) error {
		members, err := s.cl.Members(ctx)
		if err != nil {
			return plainError(err)
		}
		leader, err := s.cl.Leader(ctx)
		if err != nil {
			return exitf(ExitBadArgs, "Failed to get leader:  %v", err)
		}
		for _, m := range members {
			if m.Name == "" {
				fmt.Fprintf(r.Stdout, "%s[unstarted]: peerURLs=%s\n", m.ID, strings.Join(m.PeerURLs, ","))
				continue
			}
			fmt.Fprintf(r.Stdout, "%s: name=%s peerURLs=%s clientURLs=%s isLeader=%v\n",
				m.ID, m.Name, strings.Join(m.PeerURLs, ","), strings.Join(m.ClientURLs, ","), m.ID == leader.ID)
		}
		return nil
	})
}

// memberAdd adds a member and prints the settings that start it. etcdctl
// prints ETCD_* variables; skiff's server reads SKIFF_*, so these lines say
// SKIFF_NAME, SKIFF_INITIAL_CLUSTER and SKIFF_INITIAL_CLUSTER_STATE.
func (r *runner) memberAdd(c *cli.Context) error {
	if c.NArg() != 2 {
		return exitf(ExitBadArgs, "Provide a name and a single member peerURL")
	}
	name, peerURL := c.Args().Get(0), c.Args().Get(1)
	return r.withSession(c, func(ctx context.Context, s *session) error {
		m, err := s.cl.AddMember(ctx, []string{peerURL})
		if err != nil {
			return plainError(err)
		}
		fmt.Fprintf(r.Stdout, "Added member named %s with ID %s to cluster\n", name, m.ID)
		members, err := s.cl.Members(ctx)
		if err != nil {
			return plainError(err)
		}
		var conf []string
		for _, mb := range members {
			for _, u := range mb.PeerURLs {
				n := mb.Name
				if mb.ID == m.ID {
					n = name
				}
				conf = append(conf, fmt.Sprintf("%s=%s", n, u))
			}
		}
		fmt.Fprintf(r.Stdout, "\nSKIFF_NAME=%q\n", name)
		fmt.Fprintf(r.Stdout, "SKIFF_INITIAL_CLUSTER=%q\n", strings.Join(conf, ","))
		fmt.Fprintf(r.Stdout, "SKIFF_INITIAL_CLUSTER_STATE=\"existing\"\n")
		return nil
	})
}

// memberRemove removes a member by ID. Given a member's name instead, it
// says which ID to use and refuses (contract §5.5).
func (r *runner) memberRemove(c *cli.Context) error {
	if c.NArg() != 1 {
		return exitf(ExitBadArgs, "Provide a single member ID")
	}
	id := c.Args().First()
	return r.withSession(c, func(ctx context.Context, s *session) error {
		members, err := s.cl.Members(ctx)
		if err != nil {
			return exitf(ExitBadArgs, "Error while verifying ID against known members: %s", err.Error())
		}
		found := false
		for _, m := range members {
			found = found || m.ID == id
			if m.Name == id {
				fmt.Fprintf(r.Stderr, "Found a member named %s; if this is correct, please use its ID, eg:\n\tskiffctl member remove %s\n", m.Name, m.ID)
				fmt.Fprintf(r.Stderr, "For more details, read the documentation at https://github.com/etcd-io/etcd/blob/master/Documentation/runtime-configuration.md#remove-a-member\n\n")
			}
		}
		if !found {
			return exitf(ExitBadArgs, "Couldn't find a member in the cluster with an ID of %s.", id)
		}
		if err := s.cl.RemoveMember(ctx, id); err != nil {
			return exitRaw(ExitBadArgs, fmt.Sprintf("Received an error trying to remove member %s: %s", id, err.Error()))
		}
		fmt.Fprintf(r.Stdout, "Removed member %s from cluster\n", id)
		return nil
	})
}

// memberUpdate replaces a member's peer URLs (comma separated).
func (r *runner) memberUpdate(c *cli.Context) error {
	if c.NArg() != 2 {
		return exitf(ExitBadArgs, "Provide an ID and a list of comma separated peerURL (0xabcd http://example.com,http://example1.com)")
	}
	id, urls := c.Args().Get(0), strings.Split(c.Args().Get(1), ",")
	return r.withSession(c, func(ctx context.Context, s *session) error {
		if err := s.cl.UpdateMember(ctx, id, urls); err != nil {
			return plainError(err)
		}
		fmt.Fprintf(r.Stdout, "Updated member with ID %s in cluster\n", id)
		return nil
	})
}
