package config

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"skiff/server/membership"
)

func TestEnvName(t *testing.T) {
	assert.Equal(t, "SKIFF_INITIAL_CLUSTER_TOKEN", EnvName("initial-cluster-token"))
	assert.Equal(t, "SKIFF_NAME", EnvName("name"))
	assert.Equal(t, "SKIFF_PEER_CERT_FILE", EnvName("peer-cert-file"))
}

func TestEnvVarsSetOptions(t *testing.T) {
	c := mustParse(t, []string{
		"PATH=/bin",
		"SKIFF_NAME=infra1",
		"SKIFF_INITIAL_CLUSTER_TOKEN=tok",
		"SKIFF_HEARTBEAT_INTERVAL=200",
		"SKIFF_ELECTION_TIMEOUT=2000",
		"SKIFF_LISTEN_CLIENT_URLS=http://127.0.0.1:2379,http://10.0.0.1:2379",
		"SKIFF_STRICT_RECONFIG_CHECK=false",
		"SKIFF_PEER_AUTO_TLS=true",
		"ETCD_NAME=ignored", // skiff reads only SKIFF_ variables
	})
	assert.Equal(t, "infra1", c.Name)
	assert.Equal(t, "infra1.skiff", c.DataDir, "derived after the environment is applied")
	assert.Equal(t, "tok", c.InitialClusterToken)
	assert.Equal(t, 200*time.Millisecond, c.HeartbeatInterval)
	assert.Equal(t, 2*time.Second, c.ElectionTimeout)
	assert.Equal(t, []string{"http://127.0.0.1:2379", "http://10.0.0.1:2379"}, membership.URLStrings(c.ListenClientURLs))
	assert.False(t, c.StrictReconfigCheck)
	assert.True(t, c.PeerTLS.AutoTLS)
	assert.True(t, c.IsSet("listen-client-urls"))
	assert.Empty(t, c.Warnings)
}

func TestEnvVarsFromTheRealEnvironment(t *testing.T) {
	t.Setenv("SKIFF_NAME", "from-env")
	t.Setenv("SKIFF_SNAPSHOT_COUNT", "42")
	c := mustParse(t, os.Environ())
	assert.Equal(t, "from-env", c.Name)
	assert.Equal(t, uint64(42), c.SnapshotCount)
}

func TestEmptyEnvVarIsIgnored(t *testing.T) {
	c := mustParse(t, []string{"SKIFF_NAME=", "SKIFF_SNAPSHOT_COUNT="}, "--name", "flag")
	assert.Equal(t, "flag", c.Name, "an empty variable neither sets nor conflicts")
	assert.Equal(t, uint64(DefaultSnapshotCount), c.SnapshotCount)
}

// TestEnvVarShadowedByFlagIsAnError uses etcd's message, with skiff's name.
func TestEnvVarShadowedByFlagIsAnError(t *testing.T) {
	_, err := Parse([]string{"--name", "b"}, []string{"SKIFF_NAME=a"})
	require.Error(t, err)
	assert.Equal(t, `conflicting environment variable "SKIFF_NAME" is shadowed by corresponding command-line flag (either unset environment variable or disable flag)`, err.Error())

	_, err = Parse([]string{"--peer-auto-tls"}, []string{"SKIFF_PEER_AUTO_TLS=false"})
	assert.ErrorContains(t, err, `"SKIFF_PEER_AUTO_TLS" is shadowed`)
}

func TestUnknownEnvVarIsAWarning(t *testing.T) {
	c := mustParse(t, []string{"SKIFF_FOO=1", "SKIFF_NAME=n"})
	assert.Equal(t, []string{"unrecognized environment variable SKIFF_FOO=1"}, c.Warnings)
	assert.Equal(t, "n", c.Name)
}

func TestBadEnvValueNamesTheVariable(t *testing.T) {
	tests := []struct{ env, want string }{
		{"SKIFF_HEARTBEAT_INTERVAL=abc", `invalid value "abc" for SKIFF_HEARTBEAT_INTERVAL: parse error; use a whole number of milliseconds`},
		{"SKIFF_STRICT_RECONFIG_CHECK=bogus", `invalid value "bogus" for SKIFF_STRICT_RECONFIG_CHECK: parse error; use true or false`},
		{"SKIFF_INITIAL_CLUSTER_STATE=old", `invalid value "old" for SKIFF_INITIAL_CLUSTER_STATE: invalid value; use one of new, existing`},
		{"SKIFF_ADVERTISE_CLIENT_URLS=ftp://h:1", `invalid value "ftp://h:1" for SKIFF_ADVERTISE_CLIENT_URLS: URL "ftp://h:1" has scheme "ftp"`},
	}
	for _, tt := range tests {
		_, err := Parse(nil, []string{tt.env})
		assert.ErrorContains(t, err, tt.want, tt.env)
	}
}
