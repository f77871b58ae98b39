package ctl

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/urfave/cli/v2"

	"skiff/client"
)

// healthInterval is how often cluster-health --forever checks again.
const healthInterval = 10 * time.Second

// clusterHealthCommand is "cluster-health": list the members (without
// syncing first), then ask each member's client URLs for /health until one
// answers (contract §5.5). It exits 5 unless every member is healthy.
func (r *runner) clusterHealthCommand() *cli.Command {
	return &cli.Command{
		Name:      "cluster-health",
		Usage:     "check the health of the etcd cluster",
		ArgsUsage: " ",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "forever", Aliases: []string{"f"}, Usage: "forever check the health every 10 second until CTRL+C"},
		},
		Action: r.clusterHealth,
	}
}

// clusterHealth runs the check once, or every 10 s with --forever until
// the run is cancelled (exit 0).
func (r *runner) clusterHealth(c *cli.Context) error {
	s, err := r.newSession(c)
	if err != nil {
		return err
	}
	defer s.cl.Close()
	r.printEndpoints(s)
	members, err := s.cl.Members(r.ctx)
	if err != nil {
		fmt.Fprintln(r.Stdout, "cluster may be unhealthy: failed to list members")
		return handleError(ExitServerError, err)
	}
	// The /health probes are plain GETs that etcdctl does not print with
	// --debug, so they go through a client without the curl hook.
	cfg := s.cfg
	cfg.OnRequest = nil
	prober, err := client.New(cfg)
	if err != nil {
		return exitf(ExitBadArgs, "%s", err.Error())
	}
	defer prober.Close()
	for {
		healthy := r.checkMembers(prober, members)
		switch healthy {
		case len(members):
			fmt.Fprintln(r.Stdout, "cluster is healthy")
		case 0:
			fmt.Fprintln(r.Stdout, "cluster is unavailable")
		default:
			fmt.Fprintln(r.Stdout, "cluster is degraded")
		}
		if !c.Bool("forever") {
			if healthy == len(members) {
				return nil
			}
			return &exitError{code: ExitClusterNotHealthy}
		}
		fmt.Fprintf(r.Stdout, "\nnext check after 10 second...\n\n")
		select {
		case <-r.ctx.Done():
			return nil
		case <-time.After(healthInterval):
		}
	}
}

// checkMembers prints one line per member and returns how many are healthy.
func (r *runner) checkMembers(prober *client.Client, members []client.Member) int {
	healthy := 0
	for _, m := range members {
		if len(m.ClientURLs) == 0 {
			fmt.Fprintf(r.Stdout, "member %s is unreachable: no available published client urls\n", m.ID)
			continue
		}
		checked := false
		for _, u := range m.ClientURLs {
			ok, err := prober.EndpointHealth(r.ctx, u)
			if err != nil {
				fmt.Fprintf(r.Stdout, "failed to check the health of member %s on %s: %v\n", m.ID, u, asGetError(u, err))
				continue
			}
			checked = true
			if ok {
				fmt.Fprintf(r.Stdout, "member %s is healthy: got healthy result from %s\n", m.ID, u)
				healthy++
			} else {
				fmt.Fprintf(r.Stdout, "member %s is unhealthy: got unhealthy result from %s\n", m.ID, u)
			}
			break
		}
		if !checked {
			fmt.Fprintf(r.Stdout, "member %s is unreachable: %v are all unreachable\n", m.ID, m.ClientURLs)
		}
	}
	return healthy
}

// asGetError words a failed probe as net/http's client does, which is what
// etcdctl prints: Get "<url>/health": <reason>.
func asGetError(endpoint string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return err
	}
	return &url.Error{Op: "Get", URL: endpoint + "/health", Err: err}
}
