package config

import (
	"net/url"
	"time"

	"skiff/server/membership"
)

// Defaults, each with the reason for its value. They are etcd 3.4.23's
// (contract §6.1, observed with `etcd --help`) unless a comment says
// otherwise, so a member started with the same flags behaves the same.
const (
	// DefaultName is etcd's; it is also the name in DefaultInitialCluster,
	// so a member started with no flags at all bootstraps a cluster of one.
	DefaultName = "default"

	// DataDirSuffix makes the default data dir "<name>.skiff", skiff's
	// analogue of etcd's "${name}.etcd": distinct, so a skiff member never
	// opens an etcd data dir by accident.
	DataDirSuffix = ".skiff"

	// DefaultSnapshotCount is etcd 3.4's (the v2 docs said 10000): after this
	// many applied entries a snapshot is taken and older WAL can be released.
	DefaultSnapshotCount = 100000

	// DefaultHeartbeatInterval is etcd's: about the round-trip time between
	// members in one data centre, with room to spare.
	DefaultHeartbeatInterval = 100 * time.Millisecond

	// DefaultElectionTimeout is etcd's: 10 heartbeats, so a few lost
	// heartbeats do not start an election.
	DefaultElectionTimeout = 1000 * time.Millisecond

	// MaxElectionTimeout is etcd's upper bound (50 s); a longer timeout
	// leaves a cluster without a leader for too long to notice.
	MaxElectionTimeout = 50000 * time.Millisecond

	// MinElectionHeartbeatRatio is etcd's rule that the election timeout be
	// at least 5 heartbeat intervals, so a follower hears several heartbeats
	// before it gives up on the leader.
	MinElectionHeartbeatRatio = 5

	// DefaultMaxSnapshots and DefaultMaxWALs are etcd's: five old files of
	// each are enough to recover from a bad last one; 0 keeps all.
	DefaultMaxSnapshots = 5
	DefaultMaxWALs      = 5

	// DefaultPeerURL and DefaultClientURL are etcd's: loopback only, so a
	// member started with no flags is not reachable from other machines.
	DefaultPeerURL   = "http://localhost:2380"
	DefaultClientURL = "http://localhost:2379"

	// DefaultInitialCluster is etcd's: DefaultName at DefaultPeerURL.
	DefaultInitialCluster = DefaultName + "=" + DefaultPeerURL

	// DefaultInitialClusterToken is etcd's. It is hashed into every member
	// ID (contract §8), so keeping it makes skiff's IDs equal etcd's.
	DefaultInitialClusterToken = "etcd-cluster"

	// ClusterStateNew and ClusterStateExisting are the two values of
	// --initial-cluster-state; new is the default, as in etcd.
	ClusterStateNew      = "new"
	ClusterStateExisting = "existing"

	// FallbackExit and FallbackProxy are the values of --discovery-fallback.
	// proxy is etcd's default; skiff has no proxy mode, so it accepts the
	// value for compatibility and the server treats it as exit.
	FallbackExit  = "exit"
	FallbackProxy = "proxy"

	// DefaultCORS is etcd's: allow every origin (empty or * means all).
	DefaultCORS = "*"

	// DefaultLogLevel is etcd's.
	DefaultLogLevel = "info"

	// DefaultLogger is etcd 3.4's default name; skiff logs with log/slog
	// whatever the value, and accepts zap and capnslog so etcd command
	// lines keep working.
	DefaultLogger = "capnslog"

	// DefaultLogOutput is etcd's "default": skiff writes to stderr.
	DefaultLogOutput = "default"

	// EnvPrefix starts every environment variable skiff reads
	// (SKIFF_INITIAL_CLUSTER_TOKEN for --initial-cluster-token).
	EnvPrefix = "SKIFF_"
)

// Config is the whole configuration of one skiff member. Durations have
// units; URLs are parsed. Parse fills it and derives the values left empty;
// Validate checks it.
type Config struct {
	// Member (contract §6.1).
	Name              string
	DataDir           string        // default "<Name>.skiff"
	WALDir            string        // "" = <DataDir>/member/wal; see Dirs
	SnapshotCount     uint64        // applied entries between snapshots
	HeartbeatInterval time.Duration // --heartbeat-interval, given in ms
	ElectionTimeout   time.Duration // --election-timeout, given in ms
	ListenPeerURLs    []url.URL
	ListenClientURLs  []url.URL
	MaxSnapshots      uint // 0 = keep all
	MaxWALs           uint // 0 = keep all

	// Clustering (contract §6.1, §7, §8).
	InitialAdvertisePeerURLs []url.URL
	AdvertiseClientURLs      []url.URL
	InitialCluster           string // name=url[,name=url...]; parse with InitialClusterMap
	InitialClusterState      string // ClusterStateNew or ClusterStateExisting
	InitialClusterToken      string
	Discovery                string // discovery URL (§7.1)
	DiscoveryFallback        string // FallbackExit or FallbackProxy
	DiscoveryProxy           string
	DiscoverySRV             string // DNS domain (§7.2)
	DiscoverySRVName         string // SRV service-name suffix
	StrictReconfigCheck      bool
	EnableV2                 bool // accepted; skiff always serves v2

	// Security: parsed and validated here, used by the server's TLS setup.
	ClientTLS TLSInfo
	PeerTLS   TLSInfo
	CORS      []string // allowed origins; "*" or empty = all

	// Profiling, logging.
	EnablePprof bool
	LogLevel    string   // debug, info, warn, error (panic and fatal mean error)
	Logger      string   // accepted; skiff always uses log/slog
	LogOutputs  []string // "default", "stderr", "stdout" or file paths

	// Unsafe (contract §9).
	ForceNewCluster bool

	// Command.
	ConfigFile   string // the YAML file the rest was read from, if any
	PrintVersion bool   // --version: main prints the version and exits 0

	// Warnings are the problems Parse noticed that do not stop the member
	// (an unknown SKIFF_ variable, an unknown YAML key, flags ignored
	// because of --config-file). main logs them.
	Warnings []string

	debug bool   // --debug: derive turns it into LogLevel "debug"
	proxy string // --proxy: only "off" is accepted

	// set records the options given explicitly, by flag, variable or file
	// key; some defaults depend on it (derive.go).
	set map[string]bool
}

// TLSInfo is one side's TLS settings: the client side (--cert-file, ...) or
// the peer side (--peer-cert-file, ...). In the config file they are the
// client-transport-security and peer-transport-security blocks.
type TLSInfo struct {
	CertFile       string
	KeyFile        string
	ClientCertAuth bool // require and verify client certificates
	TrustedCAFile  string
	AutoTLS        bool // generate a self-signed certificate if none is given
}

// Empty reports whether no certificate and no auto-TLS was configured.
func (t TLSInfo) Empty() bool { return t.CertFile == "" && t.KeyFile == "" && !t.AutoTLS }

// Default returns a Config holding every default, with the derived values
// (data dir, initial cluster) filled in as Parse would for no arguments.
func Default() *Config {
	c := defaults()
	c.derive()
	return c
}

// defaults returns the defaults before derivation: DataDir is empty until
// the name is known.
func defaults() *Config {
	return &Config{
		Name:                     DefaultName,
		SnapshotCount:            DefaultSnapshotCount,
		HeartbeatInterval:        DefaultHeartbeatInterval,
		ElectionTimeout:          DefaultElectionTimeout,
		ListenPeerURLs:           mustURLs(DefaultPeerURL),
		ListenClientURLs:         mustURLs(DefaultClientURL),
		MaxSnapshots:             DefaultMaxSnapshots,
		MaxWALs:                  DefaultMaxWALs,
		InitialAdvertisePeerURLs: mustURLs(DefaultPeerURL),
		AdvertiseClientURLs:      mustURLs(DefaultClientURL),
		InitialCluster:           DefaultInitialCluster,
		InitialClusterState:      ClusterStateNew,
		InitialClusterToken:      DefaultInitialClusterToken,
		DiscoveryFallback:        FallbackProxy,
		StrictReconfigCheck:      true, // etcd 3.4's default (false in the v2 docs): refuse changes that lose quorum
		CORS:                     []string{DefaultCORS},
		LogLevel:                 DefaultLogLevel,
		Logger:                   DefaultLogger,
		LogOutputs:               []string{DefaultLogOutput},
		proxy:                    "off", // etcd's default; skiff has no proxy mode
		set:                      map[string]bool{},
	}
}

// IsSet reports whether the option (a flag name without dashes, such as
// "initial-cluster") was given explicitly rather than left at its default.
func (c *Config) IsSet(name string) bool { return c.set[name] }

// mustURLs parses a default URL list; a bad default is a bug in this file.
func mustURLs(list string) []url.URL {
	us, err := membership.ParseURLs(list)
	if err != nil {
		panic("config: bad default URL list " + list + ": " + err.Error())
	}
	return us
}
