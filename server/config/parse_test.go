package config

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"skiff/server/membership"
)

// mustParse parses args with the given environment and fails the test on
// error.
func mustParse(t *testing.T, environ []string, args ...string) *Config {
	t.Helper()
	c, err := Parse(args, environ)
	require.NoError(t, err)
	return c
}

func TestParseWithNoArgumentsGivesEtcdsDefaults(t *testing.T) {
	c := mustParse(t, nil)
	assert.Equal(t, "default", c.Name)
	assert.Equal(t, "default.skiff", c.DataDir)
	assert.Equal(t, "", c.WALDir)
	assert.Equal(t, uint64(100000), c.SnapshotCount)
	assert.Equal(t, 100*time.Millisecond, c.HeartbeatInterval)
	assert.Equal(t, time.Second, c.ElectionTimeout)
	assert.Equal(t, []string{"http://localhost:2380"}, membership.URLStrings(c.ListenPeerURLs))
	assert.Equal(t, []string{"http://localhost:2379"}, membership.URLStrings(c.ListenClientURLs))
	assert.Equal(t, []string{"http://localhost:2380"}, membership.URLStrings(c.InitialAdvertisePeerURLs))
	assert.Equal(t, []string{"http://localhost:2379"}, membership.URLStrings(c.AdvertiseClientURLs))
	assert.Equal(t, uint(5), c.MaxSnapshots)
	assert.Equal(t, uint(5), c.MaxWALs)
	assert.Equal(t, "default=http://localhost:2380", c.InitialCluster)
	assert.Equal(t, "new", c.InitialClusterState)
	assert.Equal(t, "etcd-cluster", c.InitialClusterToken)
	assert.Equal(t, "proxy", c.DiscoveryFallback)
	assert.True(t, c.StrictReconfigCheck)
	assert.Equal(t, []string{"*"}, c.CORS)
	assert.Equal(t, "info", c.LogLevel)
	assert.Equal(t, []string{"default"}, c.LogOutputs)
	assert.False(t, c.ForceNewCluster)
	assert.Empty(t, c.Warnings)
	require.NoError(t, c.Validate())
	require.NoError(t, c.ValidateBootstrap())
	// etcd started with no flags at all is member 8e9e05c52164694d.
	assert.Equal(t, "8e9e05c52164694d", c.MemberID().String())
	assert.Equal(t, Default(), c)
}

func TestParseAcceptsEveryFlagForm(t *testing.T) {
	for _, args := range [][]string{
		{"--name", "infra1"}, {"--name=infra1"}, {"-name", "infra1"}, {"-name=infra1"},
	} {
		assert.Equal(t, "infra1", mustParse(t, nil, args...).Name, "%q", args)
	}
}

// TestParseSetsEachField walks the flags the brief lists, one value each.
func TestParseSetsEachField(t *testing.T) {
	c := mustParse(t, nil,
		"--name", "n1", "--data-dir", "/d", "--wal-dir", "/w", "--snapshot-count", "7",
		"--heartbeat-interval", "50", "--election-timeout=500",
		"--listen-peer-urls", "http://127.0.0.1:1,http://127.0.0.1:2", "--listen-client-urls", "https://0.0.0.0:3",
		"--initial-advertise-peer-urls", "http://10.0.0.1:1", "--advertise-client-urls", "https://h:3",
		"--initial-cluster", "n1=http://10.0.0.1:1", "--initial-cluster-state", "existing",
		"--initial-cluster-token", "tok", "--max-snapshots", "0", "--max-wals", "9",
		"--discovery-fallback", "exit", "--discovery-proxy", "http://proxy:8080",
		"--strict-reconfig-check=false", "--enable-v2", "--cors", "http://a, http://b",
		"--enable-pprof", "--log-level", "debug", "--logger", "zap", "--log-outputs", "stderr,/tmp/log",
		"--force-new-cluster",
		"--cert-file", "c.pem", "--key-file", "k.pem", "--client-cert-auth", "--trusted-ca-file", "ca.pem", "--auto-tls",
		"--peer-cert-file", "pc.pem", "--peer-key-file", "pk.pem", "--peer-client-cert-auth", "--peer-trusted-ca-file", "pca.pem", "--peer-auto-tls",
	)
	want := &Config{
		Name: "n1", DataDir: "/d", WALDir: "/w", SnapshotCount: 7,
		HeartbeatInterval: 50 * time.Millisecond, ElectionTimeout: 500 * time.Millisecond,
		InitialCluster: "n1=http://10.0.0.1:1", InitialClusterState: "existing", InitialClusterToken: "tok",
		MaxSnapshots: 0, MaxWALs: 9, DiscoveryFallback: "exit", DiscoveryProxy: "http://proxy:8080",
		StrictReconfigCheck: false, EnableV2: true, CORS: []string{"http://a", "http://b"},
		EnablePprof: true, LogLevel: "debug", Logger: "zap", LogOutputs: []string{"stderr", "/tmp/log"},
		ForceNewCluster: true, proxy: "off",
		ClientTLS: TLSInfo{CertFile: "c.pem", KeyFile: "k.pem", ClientCertAuth: true, TrustedCAFile: "ca.pem", AutoTLS: true},
		PeerTLS:   TLSInfo{CertFile: "pc.pem", KeyFile: "pk.pem", ClientCertAuth: true, TrustedCAFile: "pca.pem", AutoTLS: true},
	}
	// URLs and bookkeeping are compared separately.
	assert.Equal(t, []string{"http://127.0.0.1:1", "http://127.0.0.1:2"}, membership.URLStrings(c.ListenPeerURLs))
	assert.Equal(t, []string{"https://0.0.0.0:3"}, membership.URLStrings(c.ListenClientURLs))
	assert.Equal(t, []string{"http://10.0.0.1:1"}, membership.URLStrings(c.InitialAdvertisePeerURLs))
	assert.Equal(t, []string{"https://h:3"}, membership.URLStrings(c.AdvertiseClientURLs))
	assert.True(t, c.IsSet("cors"))
	assert.False(t, c.IsSet("discovery"))
	c.ListenPeerURLs, c.ListenClientURLs, c.InitialAdvertisePeerURLs, c.AdvertiseClientURLs = nil, nil, nil, nil
	c.set, c.Warnings = nil, nil
	assert.Equal(t, want, c)
}

func TestParseDiscoveryFlags(t *testing.T) {
	c := mustParse(t, nil, "--discovery", "http://disc/v2/keys/_etcd/registry/tok", "--discovery-srv", "example.com", "--discovery-srv-name", "foo")
	assert.Equal(t, "http://disc/v2/keys/_etcd/registry/tok", c.Discovery)
	assert.Equal(t, "example.com", c.DiscoverySRV)
	assert.Equal(t, "foo", c.DiscoverySRVName)
}

func TestParseHelpReturnsErrHelp(t *testing.T) {
	for _, arg := range []string{"-h", "--help", "-help"} {
		_, err := Parse([]string{arg}, nil)
		assert.ErrorIs(t, err, ErrHelp, arg)
	}
}

func TestParseVersionStopsBeforeEverythingElse(t *testing.T) {
	// Even a conflicting environment does not matter with --version.
	c := mustParse(t, []string{"SKIFF_NAME=x"}, "--version", "--name", "y")
	assert.True(t, c.PrintVersion)
}

// TestParseRefusesBadCommandLines: the flag parser's errors are UsageErrors
// with the standard library's (and so etcd's) text; etcd exits 2 for them.
func TestParseRefusesBadCommandLines(t *testing.T) {
	tests := []struct {
		args  []string
		want  string
		usage bool
	}{
		{[]string{"--bogus-flag"}, "flag provided but not defined: -bogus-flag", true},
		{[]string{"--name"}, "flag needs an argument: -name", true},
		{[]string{"--heartbeat-interval", "abc"}, `invalid value "abc" for flag -heartbeat-interval: parse error; use a whole number of milliseconds`, true},
		{[]string{"--snapshot-count", "-1"}, `invalid value "-1" for flag -snapshot-count: parse error`, true},
		{[]string{"--initial-cluster-state", "bogus"}, `invalid value "bogus" for flag -initial-cluster-state: invalid value; use one of new, existing`, true},
		{[]string{"--discovery-fallback", "bogus"}, `invalid value "bogus" for flag -discovery-fallback: invalid value; use one of exit, proxy`, true},
		{[]string{"--log-level", "bogus"}, `invalid value "bogus" for flag -log-level: invalid value; use one of debug, info, warn, error`, true},
		{[]string{"--logger", "bogus"}, `invalid value "bogus" for flag -logger`, true},
		{[]string{"--strict-reconfig-check=maybe"}, `invalid boolean value "maybe" for -strict-reconfig-check`, true},
		{[]string{"--listen-client-urls", "http://127.0.0.1"}, `URL "http://127.0.0.1" does not have the form "host:port"`, true},
		{[]string{"--listen-client-urls", "127.0.0.1:2379"}, `"127.0.0.1:2379" is not a URL`, true},
		{[]string{"--listen-client-urls", "http://127.0.0.1:2379/foo"}, `must not contain a path`, true},
		{[]string{"--initial-advertise-peer-urls", "unix://x:1"}, `has scheme "unix"; skiff needs http or https`, true},
		{[]string{"extra-arg"}, `'extra-arg' is not a valid flag`, false},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := Parse(tt.args, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			var ue *UsageError
			assert.Equal(t, tt.usage, errors.As(err, &ue), "UsageError?")
		})
	}
}

func TestDataDirDefaultsToNameDotSkiff(t *testing.T) {
	assert.Equal(t, "infra1.skiff", mustParse(t, nil, "--name", "infra1").DataDir)
	assert.Equal(t, "infra1.skiff", mustParse(t, nil, "--name", "infra1", "--data-dir", "").DataDir)
	assert.Equal(t, "/var/lib/x", mustParse(t, nil, "--name", "infra1", "--data-dir", "/var/lib/x").DataDir)
}

// TestInitialClusterDefaultsToThisMember: as in etcd, `skiff --name infra1`
// alone bootstraps a one-member cluster named infra1.
func TestInitialClusterDefaultsToThisMember(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--name", "infra1"}, "infra1=http://localhost:2380"},
		{[]string{"--name", "infra1", "--initial-advertise-peer-urls", "http://10.0.0.1:2380,http://10.0.0.2:2380"},
			"infra1=http://10.0.0.1:2380,infra1=http://10.0.0.2:2380"},
		{[]string{"--name", "infra1", "--initial-cluster", "a=http://10.0.0.1:2380"}, "a=http://10.0.0.1:2380"},
		{[]string{"--name", "infra1", "--discovery", "http://d/x"}, ""},
		{[]string{"--name", "infra1", "--discovery-srv", "example.com"}, ""},
		{[]string{"--discovery", "http://d/x", "--initial-cluster", "a=http://h:1"}, "a=http://h:1"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, mustParse(t, nil, tt.args...).InitialCluster, "%q", tt.args)
	}
}

func TestSlogLevel(t *testing.T) {
	for level, want := range map[string]string{"debug": "DEBUG", "info": "INFO", "warn": "WARN", "error": "ERROR", "panic": "ERROR", "fatal": "ERROR"} {
		assert.Equal(t, want, mustParse(t, nil, "--log-level", level).SlogLevel().String(), level)
	}
}
