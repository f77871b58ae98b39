package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"skiff/server/membership"
)

// writeFile writes a config file into a fresh temporary directory.
func writeFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "skiff.conf.yml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}

// etcdStyleFile is written the way etcd.conf.yml.sample is (contract §6.3),
// including keys skiff does not know.
const etcdStyleFile = `# This is the configuration file for the etcd server.
name: 'infra1'
data-dir: /var/lib/etcd/infra1
wal-dir:
snapshot-count: 10000
heartbeat-interval: 150
election-timeout: 1500
quota-backend-bytes: 0
listen-peer-urls: http://10.0.0.1:2380
listen-client-urls: http://10.0.0.1:2379,http://127.0.0.1:2379
max-snapshots: 3
max-wals: 4
cors:
initial-advertise-peer-urls: http://10.0.0.1:2380
advertise-client-urls: http://10.0.0.1:2379
discovery:
discovery-fallback: 'exit'
discovery-proxy:
discovery-srv:
initial-cluster: infra1=http://10.0.0.1:2380,infra2=http://10.0.0.2:2380
initial-cluster-token: 'etcd-cluster-1'
initial-cluster-state: 'new'
strict-reconfig-check: false
enable-v2: true
enable-pprof: true
proxy: 'off'
client-transport-security:
  cert-file: /c.pem
  key-file: /k.pem
  client-cert-auth: true
  trusted-ca-file: /ca.pem
  auto-tls: false
peer-transport-security:
  cert-file: /pc.pem
  key-file: /pk.pem
  client-cert-auth: false
  trusted-ca-file: /pca.pem
  auto-tls: true
debug: false
log-level: warn
logger: zap
log-outputs: [stderr, /var/log/skiff.log]
force-new-cluster: false
auto-compaction-mode: periodic
heartbeat-intervall: 100
`

func TestConfigFileWrittenForEtcdIsRead(t *testing.T) {
	path := writeFile(t, etcdStyleFile)
	c := mustParse(t, nil, "--config-file", path)
	assert.Equal(t, path, c.ConfigFile)
	assert.Equal(t, "infra1", c.Name)
	assert.Equal(t, "/var/lib/etcd/infra1", c.DataDir)
	assert.Equal(t, "", c.WALDir)
	assert.Equal(t, uint64(10000), c.SnapshotCount)
	assert.Equal(t, 150*time.Millisecond, c.HeartbeatInterval)
	assert.Equal(t, 1500*time.Millisecond, c.ElectionTimeout)
	assert.Equal(t, []string{"http://10.0.0.1:2379", "http://127.0.0.1:2379"}, membership.URLStrings(c.ListenClientURLs))
	assert.Equal(t, uint(3), c.MaxSnapshots)
	assert.Equal(t, uint(4), c.MaxWALs)
	assert.Equal(t, []string{"*"}, c.CORS, "an empty key keeps the default")
	assert.Equal(t, "exit", c.DiscoveryFallback)
	assert.Equal(t, "infra1=http://10.0.0.1:2380,infra2=http://10.0.0.2:2380", c.InitialCluster)
	assert.Equal(t, "etcd-cluster-1", c.InitialClusterToken)
	assert.False(t, c.StrictReconfigCheck)
	assert.True(t, c.EnableV2)
	assert.True(t, c.EnablePprof)
	assert.Equal(t, TLSInfo{CertFile: "/c.pem", KeyFile: "/k.pem", ClientCertAuth: true, TrustedCAFile: "/ca.pem"}, c.ClientTLS)
	assert.Equal(t, TLSInfo{CertFile: "/pc.pem", KeyFile: "/pk.pem", TrustedCAFile: "/pca.pem", AutoTLS: true}, c.PeerTLS)
	assert.Equal(t, "warn", c.LogLevel)
	assert.Equal(t, []string{"stderr", "/var/log/skiff.log"}, c.LogOutputs)
	// etcd v3 keys and unknown keys are reported, not fatal.
	assert.Equal(t, []string{
		"--quota-backend-bytes is an etcd v3 setting that skiff ignores",
		"--auto-compaction-mode is an etcd v3 setting that skiff ignores",
		"config file " + c.ConfigFile + ` line 45: unknown key "heartbeat-intervall" is ignored (etcd ignores it too)`,
	}, c.Warnings)
	require.NoError(t, c.Validate())
	require.NoError(t, c.ValidateBootstrap())
}

// TestConfigFileIgnoresFlagsAndEnv: etcd 3.4 ignores every other flag and
// variable when a config file is given (observed); skiff warns about them.
func TestConfigFileIgnoresFlagsAndEnv(t *testing.T) {
	path := writeFile(t, "name: from-file\n")
	c := mustParse(t, []string{"SKIFF_SNAPSHOT_COUNT=5", "SKIFF_NAME=env"}, "--config-file", path, "--name", "flag", "--election-timeout", "5")
	assert.Equal(t, "from-file", c.Name)
	assert.Equal(t, "from-file.skiff", c.DataDir)
	assert.Equal(t, "from-file=http://localhost:2380", c.InitialCluster)
	assert.Equal(t, uint64(DefaultSnapshotCount), c.SnapshotCount)
	assert.Equal(t, DefaultElectionTimeout, c.ElectionTimeout)
	require.Len(t, c.Warnings, 2)
	assert.Contains(t, c.Warnings[0], "so the command-line flags --election-timeout, --name are ignored")
	assert.Contains(t, c.Warnings[1], "so the environment variables SKIFF_NAME, SKIFF_SNAPSHOT_COUNT are ignored")
}

func TestConfigFileFromTheEnvironment(t *testing.T) {
	path := writeFile(t, "name: env-file\n")
	c := mustParse(t, []string{"SKIFF_CONFIG_FILE=" + path})
	assert.Equal(t, "env-file", c.Name)
	assert.Equal(t, path, c.ConfigFile)
	// The flag wins over the variable, with no conflict.
	other := writeFile(t, "name: flag-file\n")
	c = mustParse(t, []string{"SKIFF_CONFIG_FILE=" + path}, "--config-file="+other)
	assert.Equal(t, "flag-file", c.Name)
}

func TestEmptyConfigFileKeepsEveryDefault(t *testing.T) {
	c := mustParse(t, nil, "--config-file", writeFile(t, "# nothing\n"))
	want := Default()
	want.ConfigFile = c.ConfigFile
	assert.Equal(t, want, c)
}

func TestBadConfigFilesSayWhereAndWhy(t *testing.T) {
	tests := []struct{ text, want string }{
		{"name: a\nheartbeat-interval: abc\n", `line 2: invalid value "abc" for heartbeat-interval: parse error; use a whole number of milliseconds`},
		{"initial-cluster-state: bogus\n", `invalid value "bogus" for initial-cluster-state: invalid value; use one of new, existing`},
		{"name: [1, 2]\n", `line 1: name takes a single value, not a list`},
		{"listen-peer-urls: ftp://h:1\n", `line 1: invalid value "ftp://h:1" for listen-peer-urls`},
		{"name: a\n  b: : c\n", `is not valid YAML`},
		{"- a\n- b\n", `line 1: expected key: value pairs`},
		{"client-transport-security: yes\n", `client-transport-security must be a block of keys`},
		{"peer-transport-security:\n  auto-tls: maybe\n", `invalid value "maybe" for peer-transport-security.auto-tls: parse error; use true or false`},
		{"listen-client-urls:\n  a: b\n", `listen-client-urls: expected a value, not a block of keys`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := Parse([]string{"--config-file", writeFile(t, tt.text)}, nil)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

func TestMissingConfigFile(t *testing.T) {
	_, err := Parse([]string{"--config-file", "/nonexistent/skiff.yml"}, nil)
	assert.ErrorContains(t, err, "cannot read the config file: open /nonexistent/skiff.yml: no such file or directory; check the path given to --config-file")
}

func TestConfigFileAcceptsURLListsAsYAMLLists(t *testing.T) {
	c := mustParse(t, nil, "--config-file", writeFile(t, "listen-client-urls:\n  - http://127.0.0.1:1\n  - http://127.0.0.1:2\n"))
	assert.Equal(t, []string{"http://127.0.0.1:1", "http://127.0.0.1:2"}, membership.URLStrings(c.ListenClientURLs))
}

// TestConfigFileMayOmitAdvertiseClientURLs: etcd requires
// --advertise-client-urls with --listen-client-urls on the command line, but
// not in a config file (observed); skiff accepts such a file with a warning.
func TestConfigFileMayOmitAdvertiseClientURLs(t *testing.T) {
	c := mustParse(t, nil, "--config-file", writeFile(t, "listen-client-urls: http://0.0.0.0:2379\n"))
	require.NoError(t, c.Validate())
	require.Len(t, c.Warnings, 1)
	assert.Contains(t, c.Warnings[0], "sets listen-client-urls but not advertise-client-urls, so this member advertises http://localhost:2379")
}
