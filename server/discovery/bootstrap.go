package discovery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"skiff/server/config"
	"skiff/server/membership"
)

// Bootstrap finds the initial cluster of a new member (empty data dir)
// started with --discovery or --discovery-srv, in --initial-cluster form;
// the server stores it in cfg.InitialCluster before it builds the initial
// members with cfg.InitialMembers (contract §7, §8):
//
//   - --discovery: JoinCluster with cfg.MemberID(), whose token is the
//     discovery URL, and --discovery-proxy. Failures read
//     "failed to join discovery cluster (<sentinel text>; ...)", as etcd
//     logs them; --discovery-fallback proxy acts as exit, since skiff has
//     no proxy mode.
//   - --discovery-srv: SRV.InitialCluster with --discovery-srv-name; the
//     token stays --initial-cluster-token. resolver nil means
//     net.DefaultResolver.
//
// The member then finds itself in the result by --name.
func Bootstrap(ctx context.Context, cfg *config.Config, logger *slog.Logger, resolver Resolver) (string, error) {
	peers := membership.URLStrings(cfg.InitialAdvertisePeerURLs)
	switch {
	case cfg.Discovery != "":
		cluster, err := JoinCluster(ctx, logger, cfg.Discovery, cfg.DiscoveryProxy, cfg.MemberID(), cfg.Name, peers)
		if errors.Is(err, ErrFullCluster) && cfg.DiscoveryFallback == config.FallbackProxy {
			err = fmt.Errorf("%w (--discovery-fallback %s acts as %s: skiff has no proxy mode)", err, config.FallbackProxy, config.FallbackExit)
		}
		if err != nil {
			return "", fmt.Errorf("failed to join discovery cluster (%w)", err)
		}
		return cluster, nil
	case cfg.DiscoverySRV != "":
		srv := SRV{Domain: cfg.DiscoverySRV, ServiceName: cfg.DiscoverySRVName, Resolver: resolver, Logger: logger}
		return srv.InitialCluster(ctx, cfg.Name, peers)
	}
	return "", errors.New("discovery: neither --discovery nor --discovery-srv is set; give one, or list the members with --initial-cluster")
}
