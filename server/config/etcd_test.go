package config

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"skiff/internal/etcdtest"
	"skiff/server/membership"
)

// The tests in this file ask the real etcd 3.4.23, the oracle for skiff's
// configuration. They are skipped when it is not installed or with -short.

// getJSON polls url until it answers 200 and decodes the body into v; it
// returns the response headers.
func getJSON(t *testing.T, url string, v any) http.Header {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil && resp.StatusCode == http.StatusOK {
			defer resp.Body.Close()
			require.NoError(t, json.NewDecoder(resp.Body).Decode(v))
			return resp.Header
		}
		if err == nil {
			resp.Body.Close()
		}
		require.True(t, time.Now().Before(deadline), "etcd did not answer %s: %v", url, err)
		time.Sleep(100 * time.Millisecond)
	}
}

// TestEtcdAndSkiffReadTheSameConfigFileAlike starts etcd with a config file
// the test writes, parses the same file with skiff, and checks that both
// derive the same member ID, cluster ID, name and URLs.
func TestEtcdAndSkiffReadTheSameConfigFileAlike(t *testing.T) {
	path := filepath.Join(t.TempDir(), "member.yml")
	etcd := etcdtest.Start(t, etcdtest.CommandLine(func(m *etcdtest.Member) []string {
		file := strings.Join([]string{
			"name: probe1",
			"data-dir: " + m.DataDir,
			"listen-peer-urls: " + m.PeerURL,
			"listen-client-urls: " + m.ClientURL,
			"initial-advertise-peer-urls: " + m.PeerURL,
			"advertise-client-urls: " + m.ClientURL,
			"initial-cluster: probe1=" + m.PeerURL,
			"initial-cluster-token: skiff-config-test",
			"initial-cluster-state: new",
			"enable-v2: true",
			"quota-backend-bytes: 0", // an etcd v3 key skiff ignores
			"log-outputs: [stderr]",
			"",
		}, "\n")
		require.NoError(t, os.WriteFile(path, []byte(file), 0o600))
		return []string{"--config-file", path}
	}))
	client, peer := etcd.ClientURL, etcd.PeerURL

	cfg, err := Parse([]string{"--config-file", path}, nil)
	require.NoError(t, err)
	require.NoError(t, cfg.Validate())
	require.NoError(t, cfg.ValidateBootstrap())
	cluster, err := cfg.InitialMembers()
	require.NoError(t, err)

	var list membership.ClientList
	header := getJSON(t, client+"/v2/members", &list)
	require.Len(t, list.Members, 1)
	got := list.Members[0]
	assert.Equal(t, cfg.MemberID().String(), got.ID)
	assert.Equal(t, cfg.Name, got.Name)
	assert.Equal(t, membership.URLStrings(cfg.InitialAdvertisePeerURLs), got.PeerURLs)
	assert.Equal(t, membership.URLStrings(cfg.AdvertiseClientURLs), got.ClientURLs)
	assert.Equal(t, cluster.ID.String(), header.Get("X-Etcd-Cluster-ID"))

	var peers []membership.PeerView
	getJSON(t, peer+"/members", &peers)
	require.Len(t, peers, 1)
	assert.Equal(t, uint64(cfg.MemberID()), peers[0].ID)
}

// TestEtcdAndSkiffRefuseTheSameCommandLines runs etcd with command lines
// that it refuses before it serves anything, and checks that skiff refuses
// each with the same words (skiff adds the way out after them).
func TestEtcdAndSkiffRefuseTheSameCommandLines(t *testing.T) {
	etcdtest.Require(t)
	tests := []struct {
		args []string
		want string // in both etcd's and skiff's message
	}{
		{[]string{"--election-timeout", "400"}, "--election-timeout[400ms] should be at least as 5 times as --heartbeat-interval[100ms]"},
		{[]string{"--heartbeat-interval", "0"}, "--heartbeat-interval must be >0 (set to 0ms)"},
		{[]string{"--election-timeout", "60000"}, "--election-timeout[60000ms] is too long, and should be set less than 50000ms"},
		{[]string{"--listen-client-urls", "http://127.0.0.1:1"}, "--advertise-client-urls is required when --listen-client-urls is set explicitly"},
		{[]string{"--discovery", "http://127.0.0.1:1/x", "--discovery-srv", "example.com"}, `multiple discovery or bootstrap flags are set. Choose one of "initial-cluster", "discovery" or "discovery-srv"`},
		{[]string{"--initial-cluster-state", "existing", "--discovery", "http://127.0.0.1:1/x"}, "discovery URL should not be set when joining existing initial cluster"},
		{[]string{"--name", "infra1", "--initial-cluster", "infra2=http://127.0.0.1:1"}, `couldn't find local name "infra1" in the initial cluster configuration`},
		{[]string{"--name", "infra1", "--initial-cluster", "infra1=http://127.0.0.1:1"}, "--initial-cluster has infra1=http://127.0.0.1:1 but missing from --initial-advertise-peer-urls=http://localhost:2380"},
		{[]string{"--initial-cluster-state", "bogus"}, `invalid value "bogus" for flag -initial-cluster-state: invalid value`},
		{[]string{"--bogus-flag"}, "flag provided but not defined: -bogus-flag"},
		{[]string{"--listen-client-urls", "http://127.0.0.1"}, `does not have the form "host:port"`},
		{[]string{"--listen-client-urls", "http://127.0.0.1:1/foo"}, "must not contain a path"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			// --listen-peer-urls on a free port keeps a wrongly accepted
			// command line from clashing with another test.
			args := append([]string{"--data-dir", t.TempDir(), "--listen-peer-urls", etcdtest.FreeURL(t)}, tt.args...)
			// etcd binds its client listener before it checks the cluster
			// flags, so a command line that leaves the client URLs at their
			// default would fail on a busy port 2379 instead.
			if !slices.Contains(tt.args, "--listen-client-urls") {
				client := etcdtest.FreeURL(t)
				args = append(args, "--listen-client-urls", client, "--advertise-client-urls", client)
			}
			out, err := exec.CommandContext(ctx, etcdtest.EtcdBinary, args...).CombinedOutput()
			require.Error(t, err, "etcd accepted %q", tt.args)
			assert.Contains(t, string(out), tt.want, "etcd's words changed")

			cfg, err := Parse(args, nil)
			if err == nil {
				err = cfg.Validate()
			}
			if err == nil {
				err = cfg.ValidateBootstrap()
			}
			require.Error(t, err, "skiff accepted %q", tt.args)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
