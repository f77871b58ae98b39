package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestValidateRefusesBadConfigurations has one row per rule of Validate.
// Where etcd has a message for the same rule, the row checks etcd's words
// (observed with etcd 3.4.23) and skiff's way out after them.
func TestValidateRefusesBadConfigurations(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"empty name", []string{"--name", "", "--initial-cluster", "a=http://h:1"}, "--name is empty; give this member a name"},
		{"name with separator", []string{"--name", "a=b"}, `--name "a=b" contains ',' or '='`},
		{"zero heartbeat", []string{"--heartbeat-interval", "0"}, "--heartbeat-interval must be >0 (set to 0ms)"},
		{"election under 5 heartbeats", []string{"--election-timeout", "400"},
			"--election-timeout[400ms] should be at least as 5 times as --heartbeat-interval[100ms]; raise --election-timeout to 500 or more"},
		{"election too long", []string{"--election-timeout", "60000"}, "--election-timeout[60000ms] is too long, and should be set less than 50000ms"},
		{"zero snapshot count", []string{"--snapshot-count", "0"}, "--snapshot-count must be at least 1"},
		{"nothing to listen on", []string{"--listen-peer-urls", ""}, "--listen-peer-urls is empty; give at least one URL"},
		{"host name in listen URL", []string{"--listen-client-urls", "http://myhost:2379", "--advertise-client-urls", "http://myhost:2379"},
			"expected IP in URL for binding (http://myhost:2379) in --listen-client-urls"},
		{"listen without advertise", []string{"--listen-client-urls", "http://127.0.0.1:2379"},
			"--advertise-client-urls is required when --listen-client-urls is set explicitly"},
		{"discovery and initial-cluster", []string{"--discovery", "http://d/x", "--initial-cluster", "default=http://localhost:2380"},
			`multiple discovery or bootstrap flags are set. Choose one of "initial-cluster", "discovery" or "discovery-srv"`},
		{"discovery and discovery-srv", []string{"--discovery", "http://d/x", "--discovery-srv", "example.com"}, "multiple discovery or bootstrap flags are set"},
		{"discovery-srv and initial-cluster", []string{"--discovery-srv", "example.com", "--initial-cluster", "default=http://localhost:2380"}, "multiple discovery or bootstrap flags are set"},
		{"initial-cluster item without =", []string{"--initial-cluster", "foo"}, `--initial-cluster: item "foo" is not name=URL`},
		{"initial-cluster bad scheme", []string{"--initial-cluster", "default=ftp://h:1"}, `--initial-cluster: member "default": URL "ftp://h:1" has scheme "ftp"`},
		{"discovery when joining", []string{"--initial-cluster-state", "existing", "--discovery", "http://d/x"},
			"discovery URL should not be set when joining existing initial cluster; drop --discovery"},
		{"discovery not a URL", []string{"--discovery", "d/x"}, `--discovery "d/x" is not an http:// or https:// URL`},
		{"discovery proxy not a URL", []string{"--discovery-proxy", "proxy:8080"}, `--discovery-proxy "proxy:8080" is not an http:// or https:// URL`},
		{"discovery-srv is a URL", []string{"--discovery-srv", "http://example.com"}, `--discovery-srv "http://example.com" should be a DNS domain`},
		{"srv name alone", []string{"--discovery-srv-name", "foo"}, "--discovery-srv-name is set but --discovery-srv is not"},
		{"cert without key", []string{"--cert-file", "c.pem"}, "--cert-file and --key-file must be given together"},
		{"peer key without cert", []string{"--peer-key-file", "k.pem"}, "--peer-cert-file and --peer-key-file must be given together"},
		{"https client URL without TLS", []string{"--listen-client-urls", "https://127.0.0.1:2379", "--advertise-client-urls", "https://127.0.0.1:2379"},
			"TLS key/cert (--cert-file, --key-file) must be provided for client url https://127.0.0.1:2379 with HTTPS scheme"},
		{"https peer URL without TLS", []string{"--initial-advertise-peer-urls", "https://127.0.0.1:2380"},
			"TLS key/cert (--peer-cert-file, --peer-key-file) must be provided for peer url https://127.0.0.1:2380 with HTTPS scheme"},
		{"empty log outputs", []string{"--log-outputs", ""}, "--log-outputs is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, nil, tt.args...)
			err := c.Validate()
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalid)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestValidateRefusesBadWordsSetInCode: the flag parser refuses unknown
// words, but a Config built in code (tests, the server) is checked too.
func TestValidateRefusesBadWordsSetInCode(t *testing.T) {
	tests := []struct {
		set  func(*Config)
		want string
	}{
		{func(c *Config) { c.InitialClusterState = "old" }, `--initial-cluster-state is "old"; use "new"`},
		{func(c *Config) { c.DiscoveryFallback = "retry" }, `--discovery-fallback is "retry"; use "exit" or "proxy"`},
		{func(c *Config) { c.LogLevel = "trace" }, `--log-level "trace" is not known`},
		{func(c *Config) { c.Logger = "logrus" }, `--logger "logrus" is not known`},
	}
	for _, tt := range tests {
		c := Default()
		tt.set(c)
		assert.ErrorContains(t, c.Validate(), tt.want)
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	c := mustParse(t, nil, "--heartbeat-interval", "0", "--cert-file", "c.pem", "--log-outputs", "")
	err := c.Validate()
	assert.ErrorContains(t, err, "--heartbeat-interval must be >0")
	assert.ErrorContains(t, err, "--cert-file and --key-file must be given together")
	assert.ErrorContains(t, err, "--log-outputs is empty")
}

func TestValidateAcceptsGoodConfigurations(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--election-timeout", "500"}, // exactly 5 heartbeats
		{"--listen-client-urls", "http://0.0.0.0:2379", "--advertise-client-urls", "http://h:2379"},
		{"--listen-client-urls", "http://127.0.0.1:2379", "--advertise-client-urls", ""}, // etcd accepts an explicit empty list
		{"--listen-peer-urls", "http://[::1]:2380"},
		{"--discovery", "https://discovery.etcd.io/abc", "--discovery-fallback", "exit"},
		{"--discovery-srv", "example.com", "--discovery-srv-name", "foo"},
		{"--listen-client-urls", "https://127.0.0.1:2379", "--advertise-client-urls", "https://127.0.0.1:2379", "--auto-tls"},
		{"--listen-client-urls", "https://127.0.0.1:2379", "--advertise-client-urls", "https://127.0.0.1:2379", "--cert-file", "c", "--key-file", "k"},
		{"--initial-cluster-state", "existing", "--initial-cluster", "default=http://localhost:2380,b=http://h:2380"},
	} {
		c := mustParse(t, nil, args...)
		assert.NoError(t, c.Validate(), "%q", args)
	}
}
