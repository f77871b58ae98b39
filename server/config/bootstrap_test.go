package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// threeNodeArgs is member n1 of the 3-node cluster the contract probed
// (token tkn, contract §8).
var threeNodeArgs = []string{
	"--name", "n1", "--initial-cluster-token", "tkn",
	"--initial-advertise-peer-urls", "http://127.0.0.1:12380",
	"--initial-cluster", "n1=http://127.0.0.1:12380,n2=http://127.0.0.1:22380,n3=http://127.0.0.1:32380",
}

func TestInitialMembersHaveEtcdsIDs(t *testing.T) {
	c := mustParse(t, nil, threeNodeArgs...)
	require.NoError(t, c.Validate())
	require.NoError(t, c.ValidateBootstrap())
	assert.Equal(t, "77f41cbd71028a3a", c.MemberID().String())
	cl, err := c.InitialMembers()
	require.NoError(t, err)
	assert.Equal(t, "998d851d58177d55", cl.ID.String())
	self, ok := cl.Member(c.MemberID())
	require.True(t, ok)
	assert.Equal(t, "n1", self.Name)
	assert.Len(t, cl.Members, 3)
}

func TestSingleNodeIDs(t *testing.T) {
	c := mustParse(t, nil, "--initial-advertise-peer-urls", "http://127.0.0.1:42380", "--initial-cluster", "default=http://127.0.0.1:42380")
	require.NoError(t, c.ValidateBootstrap())
	cl, err := c.InitialMembers()
	require.NoError(t, err)
	assert.Equal(t, "667880157b8812c8", c.MemberID().String())
	assert.Equal(t, "dc50b8daae93b3e0", cl.ID.String())
}

// TestDiscoveryURLIsTheClusterToken: contract §7.1. etcd registered member
// dnode (peer URL http://127.0.0.1:44380) as b61d16c350ac836a; the
// discovery URL below, on the probed single node's client port 42379, is
// the one that reproduces that ID.
func TestDiscoveryURLIsTheClusterToken(t *testing.T) {
	disc := "http://127.0.0.1:42379/v2/keys/_etcd/registry/tok1"
	c := mustParse(t, nil, "--name", "dnode", "--discovery", disc, "--initial-cluster-token", "ignored",
		"--initial-advertise-peer-urls", "http://127.0.0.1:44380")
	assert.Equal(t, disc, c.ClusterToken())
	assert.Equal(t, "b61d16c350ac836a", c.MemberID().String())
	assert.NoError(t, c.ValidateBootstrap(), "discovery checks the cluster later")
	other := mustParse(t, nil, "--initial-cluster-token", "tkn")
	assert.Equal(t, "tkn", other.ClusterToken())
	assert.NotEqual(t, c.MemberID(), other.MemberID())
}

func TestValidateBootstrapRefusesAMemberTheClusterDoesNotList(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"name missing", []string{"--name", "infra1", "--initial-cluster", "infra2=http://127.0.0.1:2380,infra3=http://127.0.0.1:2381"},
			`couldn't find local name "infra1" in the initial cluster configuration; add infra1=<peer URL> to --initial-cluster (it lists ["infra2" "infra3"]), or set --name`},
		{"empty initial cluster", []string{"--initial-cluster", ""},
			`couldn't find local name "default" in the initial cluster configuration; add default=<peer URL> to --initial-cluster (it lists no members)`},
		{"advertised URL differs", []string{"--name", "infra1", "--initial-cluster", "infra1=http://127.0.0.1:45380"},
			`--initial-cluster has infra1=http://127.0.0.1:45380 but missing from --initial-advertise-peer-urls=http://localhost:2380`},
		{"one URL short", []string{"--name", "infra1", "--initial-cluster", "infra1=http://127.0.0.1:45380,infra1=http://127.0.0.1:45381",
			"--initial-advertise-peer-urls", "http://127.0.0.1:45380"},
			`--initial-cluster has infra1=http://127.0.0.1:45380,http://127.0.0.1:45381 but missing from --initial-advertise-peer-urls=http://127.0.0.1:45380`},
		{"no peer URLs", []string{"--initial-advertise-peer-urls", "", "--discovery", "http://d/x"}, "--initial-advertise-peer-urls is empty"},
		{"bad initial cluster", []string{"--initial-cluster", "x"}, `--initial-cluster: item "x" is not name=URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := mustParse(t, nil, tt.args...).ValidateBootstrap()
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalid)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestValidateBootstrapComparesURLsAsSets(t *testing.T) {
	c := mustParse(t, nil, "--name", "a",
		"--initial-advertise-peer-urls", "http://10.0.0.2:2380,http://10.0.0.1:2380,http://10.0.0.1:2380",
		"--initial-cluster", "a=http://10.0.0.1:2380,b=http://10.0.0.9:2380,a=http://10.0.0.2:2380")
	assert.NoError(t, c.ValidateBootstrap())
}

func TestDirs(t *testing.T) {
	c := mustParse(t, nil, "--data-dir", "/d")
	assert.Equal(t, Dirs{Data: "/d", Member: "/d/member", WAL: "/d/member/wal", Snap: "/d/member/snap"}, c.Dirs())
	c = mustParse(t, nil, "--data-dir", "/d", "--wal-dir", "/fast/wal")
	assert.Equal(t, Dirs{Data: "/d", Member: "/d/member", WAL: "/fast/wal", Snap: "/d/member/snap"}, c.Dirs())
	assert.Equal(t, "infra1.skiff/member/snap", mustParse(t, nil, "--name", "infra1").Dirs().Snap)
}
