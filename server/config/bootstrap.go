package config

import (
	"fmt"
	"slices"
	"strings"

	"skiff/server/membership"
)

// InitialClusterMap parses --initial-cluster (contract §6.1).
func (c *Config) InitialClusterMap() (membership.URLsMap, error) {
	m, err := membership.ParseURLsMap(c.InitialCluster)
	if err != nil {
		return nil, invalid("--initial-cluster: %v", err)
	}
	return m, nil
}

// ClusterToken returns the token hashed into the initial members' IDs:
// --initial-cluster-token, or with --discovery the discovery URL, as etcd
// does (contract §7.1).
func (c *Config) ClusterToken() string {
	if c.Discovery != "" {
		return c.Discovery
	}
	return c.InitialClusterToken
}

// MemberID returns the ID this member has when it bootstraps a new cluster:
// derived from its --initial-advertise-peer-urls and ClusterToken (contract
// §8). Discovery registers under it. A member joining with
// --initial-cluster-state existing adopts the ID the cluster already has for
// its URLs instead.
func (c *Config) MemberID() membership.ID {
	return membership.MemberID(membership.URLStrings(c.InitialAdvertisePeerURLs), c.ClusterToken(), nil)
}

// InitialMembers builds the initial cluster from --initial-cluster and
// ClusterToken: every member's ID and the cluster ID (contract §8). With
// discovery the server builds it from the discovered URLsMap instead, with
// membership.NewCluster(c.ClusterToken(), discovered).
func (c *Config) InitialMembers() (*membership.Cluster, error) {
	m, err := c.InitialClusterMap()
	if err != nil {
		return nil, err
	}
	cl, err := membership.NewCluster(c.ClusterToken(), m)
	if err != nil {
		return nil, invalid("--initial-cluster: %v", err)
	}
	return cl, nil
}

// ValidateBootstrap checks what etcd checks when a member starts with no WAL
// yet (a new member, either founding a cluster or joining one with
// --initial-cluster-state existing). Once a WAL exists the --initial-*
// flags are ignored (contract §6.4), so the server calls this only for an
// empty data dir.
//
// With --discovery or --discovery-srv the cluster is not known yet; then
// only this member's peer URLs are checked, and discovery checks the rest.
func (c *Config) ValidateBootstrap() error {
	if len(c.InitialAdvertisePeerURLs) == 0 {
		return invalid("--initial-advertise-peer-urls is empty; give the peer URLs other members can reach this member at, such as http://10.0.0.1:2380")
	}
	if c.Discovery != "" || c.DiscoverySRV != "" {
		return nil
	}
	m, err := c.InitialClusterMap()
	if err != nil {
		return err
	}
	listed, ok := m[c.Name]
	if !ok {
		return invalid("couldn't find local name %q in the initial cluster configuration; add %s=<peer URL> to --initial-cluster (it lists %s), or set --name to one of those",
			c.Name, c.Name, describeNames(m))
	}
	advertised := membership.URLStrings(c.InitialAdvertisePeerURLs)
	slices.Sort(advertised)
	advertised = slices.Compact(advertised)
	if !slices.Equal(advertised, listed) {
		return invalid("--initial-cluster has %s=%s but missing from --initial-advertise-peer-urls=%s (%q != %q); make --initial-advertise-peer-urls the URLs --initial-cluster lists for %s, or fix --initial-cluster",
			c.Name, strings.Join(listed, ","), strings.Join(advertised, ","), strings.Join(advertised, ","), strings.Join(listed, ","), c.Name)
	}
	return nil
}

// describeNames lists the names of m for an error message.
func describeNames(m membership.URLsMap) string {
	if len(m) == 0 {
		return "no members"
	}
	return fmt.Sprintf("%q", m.Names())
}
