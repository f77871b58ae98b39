package config

import "flag"

// option is one setting: its flag name (also the YAML key and, upper-cased
// with '_' for '-', the SKIFF_ variable), where --help lists it, and the
// flag.Value that writes its field.
type option struct {
	name    string
	group   string // heading in --help; groups print in groupOrder
	usage   string
	def     string // the default as --help shows it
	fileKey string // key in the config file when it is not name: "block.key" for TLS
	value   flag.Value
}

// Headings of --help, in etcd's order.
const (
	groupMember     = "Member"
	groupClustering = "Clustering"
	groupSecurity   = "Security"
	groupProfiling  = "Profiling and Monitoring"
	groupLogging    = "Logging"
	groupUnsafe     = "Unsafe feature"

	// Flags kept so etcd command lines work; see compat.go. Usage lists
	// the last two as paragraphs of names.
	groupCompat      = "etcd compatibility"
	groupIgnored     = "Accepted for etcd compatibility and ignored"
	groupUnsupported = "Refused (etcd security settings skiff does not implement)"
)

var groupOrder = []string{groupMember, groupClustering, groupSecurity, groupProfiling, groupLogging, groupUnsafe, groupCompat}

// The nested blocks of the config file that hold the TLS settings
// (contract §6.3).
const (
	clientTLSBlock = "client-transport-security"
	peerTLSBlock   = "peer-transport-security"
)

// options lists every setting of c, bound to c's fields. The order is the
// order of --help within each group.
func (c *Config) options() []option {
	opts := []option{
		{name: "name", group: groupMember, def: DefaultName, usage: "Human-readable name for this member; its key in --initial-cluster.", value: stringValue{&c.Name}},
		{name: "data-dir", group: groupMember, def: "${name}" + DataDirSuffix, usage: "Path to the data directory.", value: stringValue{&c.DataDir}},
		{name: "wal-dir", group: groupMember, usage: "Path to a dedicated WAL directory (instead of <data-dir>/member/wal).", value: stringValue{&c.WALDir}},
		{name: "snapshot-count", group: groupMember, def: "100000", usage: "Number of applied entries that triggers a snapshot to disk.", value: uintValue[uint64]{&c.SnapshotCount}},
		{name: "heartbeat-interval", group: groupMember, def: "100", usage: "Time (in milliseconds) between a leader's heartbeats.", value: millisValue{&c.HeartbeatInterval}},
		{name: "election-timeout", group: groupMember, def: "1000", usage: "Time (in milliseconds) a follower waits for the leader before it starts an election; at least 5 heartbeat intervals.", value: millisValue{&c.ElectionTimeout}},
		{name: "listen-peer-urls", group: groupMember, def: DefaultPeerURL, usage: "List of URLs to listen on for peer traffic.", value: urlsValue{&c.ListenPeerURLs}},
		{name: "listen-client-urls", group: groupMember, def: DefaultClientURL, usage: "List of URLs to listen on for client traffic.", value: urlsValue{&c.ListenClientURLs}},
		{name: "max-snapshots", group: groupMember, def: "5", usage: "Maximum number of snapshot files to keep (0 keeps all).", value: uintValue[uint]{&c.MaxSnapshots}},
		{name: "max-wals", group: groupMember, def: "5", usage: "Maximum number of WAL files to keep (0 keeps all).", value: uintValue[uint]{&c.MaxWALs}},

		{name: "initial-advertise-peer-urls", group: groupClustering, def: DefaultPeerURL, usage: "List of this member's peer URLs to advertise to the rest of the cluster.", value: urlsValue{&c.InitialAdvertisePeerURLs}},
		{name: "initial-cluster", group: groupClustering, def: DefaultInitialCluster, usage: "Initial cluster configuration for bootstrapping: name=url[,name=url...].", value: stringValue{&c.InitialCluster}},
		{name: "initial-cluster-state", group: groupClustering, def: ClusterStateNew, usage: "Initial cluster state ('new' or 'existing').", value: choiceValue{&c.InitialClusterState, []string{ClusterStateNew, ClusterStateExisting}}},
		{name: "initial-cluster-token", group: groupClustering, def: DefaultInitialClusterToken, usage: "Initial cluster token; hashed into the member IDs, so distinct clusters get distinct IDs.", value: stringValue{&c.InitialClusterToken}},
		{name: "advertise-client-urls", group: groupClustering, def: DefaultClientURL, usage: "List of this member's client URLs to advertise to clients and the rest of the cluster.", value: urlsValue{&c.AdvertiseClientURLs}},
		{name: "discovery", group: groupClustering, usage: "Discovery URL used to bootstrap the cluster.", value: stringValue{&c.Discovery}},
		{name: "discovery-fallback", group: groupClustering, def: FallbackProxy, usage: "What to do when the discovery service says the cluster is full ('exit' or 'proxy'; skiff treats 'proxy' as 'exit').", value: choiceValue{&c.DiscoveryFallback, []string{FallbackExit, FallbackProxy}}},
		{name: "discovery-proxy", group: groupClustering, usage: "HTTP proxy to use for traffic to the discovery service.", value: stringValue{&c.DiscoveryProxy}},
		{name: "discovery-srv", group: groupClustering, usage: "DNS SRV domain used to bootstrap the cluster.", value: stringValue{&c.DiscoverySRV}},
		{name: "discovery-srv-name", group: groupClustering, usage: "Suffix to the DNS SRV name queried when bootstrapping.", value: stringValue{&c.DiscoverySRVName}},
		{name: "strict-reconfig-check", group: groupClustering, def: "true", usage: "Reject membership changes that could cause quorum loss.", value: boolValue{&c.StrictReconfigCheck}},
		{name: "enable-v2", group: groupClustering, def: "false", usage: "Accepted for etcd compatibility; skiff always serves the v2 API.", value: boolValue{&c.EnableV2}},

		{name: "cors", group: groupSecurity, def: DefaultCORS, usage: "Comma-separated list of origins allowed for CORS (empty or * allows all).", value: listValue{&c.CORS}},
	}
	opts = append(opts, tlsOptions("", clientTLSBlock, "client", &c.ClientTLS)...)
	opts = append(opts, tlsOptions("peer-", peerTLSBlock, "peer", &c.PeerTLS)...)
	opts = append(opts,
		option{name: "enable-pprof", group: groupProfiling, def: "false", usage: "Serve runtime profiling data at <client URL>/debug/pprof/.", value: boolValue{&c.EnablePprof}},

		option{name: "logger", group: groupLogging, def: DefaultLogger, usage: "Accepted for etcd compatibility ('capnslog' or 'zap'); skiff always logs with log/slog.", value: choiceValue{&c.Logger, []string{"capnslog", "zap"}}},
		option{name: "log-outputs", group: groupLogging, def: DefaultLogOutput, usage: "Where logs go: 'default' or 'stderr', 'stdout', or file paths, comma-separated.", value: listValue{&c.LogOutputs}},
		option{name: "log-level", group: groupLogging, def: DefaultLogLevel, usage: "Log level: debug, info, warn or error ('panic' and 'fatal' mean error).", value: choiceValue{&c.LogLevel, []string{"debug", "info", "warn", "error", "panic", "fatal"}}},

		option{name: "force-new-cluster", group: groupUnsafe, def: "false", usage: "Force a new one-member cluster from the existing data (disaster recovery only).", value: boolValue{&c.ForceNewCluster}},
	)
	return append(opts, c.compatOptions()...)
}

// tlsOptions returns one side's TLS options: flag names prefixed by prefix
// ("" or "peer-"), file keys inside block.
func tlsOptions(prefix, block, side string, t *TLSInfo) []option {
	return []option{
		{group: groupSecurity, name: prefix + "cert-file", usage: "Path to the " + side + " server TLS cert file.", fileKey: block + ".cert-file", value: stringValue{&t.CertFile}},
		{group: groupSecurity, name: prefix + "key-file", usage: "Path to the " + side + " server TLS key file.", fileKey: block + ".key-file", value: stringValue{&t.KeyFile}},
		{group: groupSecurity, name: prefix + "client-cert-auth", def: "false", usage: "Require and verify the certificates of " + side + "s (clients or peers) that connect.", fileKey: block + ".client-cert-auth", value: boolValue{&t.ClientCertAuth}},
		{group: groupSecurity, name: prefix + "trusted-ca-file", usage: "Path to the " + side + " TLS trusted CA file.", fileKey: block + ".trusted-ca-file", value: stringValue{&t.TrustedCAFile}},
		{group: groupSecurity, name: prefix + "auto-tls", def: "false", usage: "Use a self-generated certificate for " + side + " TLS if no cert and key files are given.", fileKey: block + ".auto-tls", value: boolValue{&t.AutoTLS}},
	}
}

// key returns the option's key in the config file.
func (o option) key() string {
	if o.fileKey != "" {
		return o.fileKey
	}
	return o.name
}
