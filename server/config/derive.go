package config

import (
	"strings"

	"skiff/server/membership"
)

// derive fills in the values whose defaults depend on other settings, as
// etcdmain does after parsing (contract §6.1, §7):
//   - --debug means --log-level debug, unless --log-level is given;
//   - an empty --data-dir becomes "<name>.skiff";
//   - an --initial-cluster that was not given becomes empty when
//     --discovery or --discovery-srv will supply the cluster, and otherwise
//     "<name>=<url>" for each of --initial-advertise-peer-urls.
//
// The last rule is a little wider than etcd's, which rewrites the default
// only when --name changed: in skiff `--initial-advertise-peer-urls X`
// alone also works, where etcd reports a mismatch with its default.
func (c *Config) derive() {
	if c.debug && !c.set["log-level"] {
		c.LogLevel = "debug"
	}
	if c.DataDir == "" {
		c.DataDir = c.Name + DataDirSuffix
	}
	if c.set["initial-cluster"] {
		return
	}
	if c.Discovery != "" || c.DiscoverySRV != "" {
		c.InitialCluster = ""
		return
	}
	items := make([]string, 0, len(c.InitialAdvertisePeerURLs))
	for _, u := range membership.URLStrings(c.InitialAdvertisePeerURLs) {
		items = append(items, c.Name+"="+u)
	}
	c.InitialCluster = strings.Join(items, ",")
}
