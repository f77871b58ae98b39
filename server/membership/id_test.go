package membership

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMemberIDMatchesEtcd checks MemberID against IDs a live etcd 3.4.23
// printed (contract §8, plus ef12…/8e9e… observed while writing this test).
func TestMemberIDMatchesEtcd(t *testing.T) {
	tests := []struct {
		name     string
		peerURLs []string
		token    string
		want     string
	}{
		{"n1 of the 3-node cluster, token tkn", []string{"http://127.0.0.1:12380"}, "tkn", "77f41cbd71028a3a"},
		{"n2 of the 3-node cluster", []string{"http://127.0.0.1:22380"}, "tkn", "e52329470e35c0c0"},
		{"n3 of the 3-node cluster", []string{"http://127.0.0.1:32380"}, "tkn", "763c9e70aa15678a"},
		{"single node, default token", []string{"http://127.0.0.1:42380"}, "etcd-cluster", "667880157b8812c8"},
		{"etcd with every default", []string{"http://localhost:2380"}, "etcd-cluster", "8e9e05c52164694d"},
		{"config-file member cf1", []string{"http://127.0.0.1:45380"}, "etcd-cluster", "ef12a2ed4f459e98"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, MemberID(tt.peerURLs, tt.token, nil).String())
		})
	}
}

func TestMemberIDSortsPeerURLsWithoutTouchingTheCallersSlice(t *testing.T) {
	urls := []string{"http://b:2380", "http://a:2380"}
	got := MemberID(urls, "tok", nil)
	assert.Equal(t, MemberID([]string{"http://a:2380", "http://b:2380"}, "tok", nil), got)
	assert.Equal(t, []string{"http://b:2380", "http://a:2380"}, urls, "caller's slice reordered")
}

// TestRuntimeAddedMemberIDIncludesTheTime: a member added with POST
// /v2/members hashes no token but the unix seconds (contract §8, §10.17).
func TestRuntimeAddedMemberIDIncludesTheTime(t *testing.T) {
	urls := []string{"http://127.0.0.1:2380"}
	t1 := time.Unix(1700000000, 0)
	t2 := time.Unix(1700000001, 0)
	assert.NotEqual(t, MemberID(urls, "", &t1), MemberID(urls, "", &t2))
	// The hash input is the URL followed by the decimal seconds.
	assert.Equal(t, MemberID(urls, "1700000000", nil), MemberID(urls, "", &t1))
}

func TestClusterIDMatchesEtcd(t *testing.T) {
	three := []ID{
		MemberID([]string{"http://127.0.0.1:32380"}, "tkn", nil),
		MemberID([]string{"http://127.0.0.1:12380"}, "tkn", nil),
		MemberID([]string{"http://127.0.0.1:22380"}, "tkn", nil),
	}
	assert.Equal(t, "998d851d58177d55", ClusterID(three).String(), "3-node cluster n1/n2/n3, token tkn")
	single := []ID{MemberID([]string{"http://127.0.0.1:42380"}, "etcd-cluster", nil)}
	assert.Equal(t, "dc50b8daae93b3e0", ClusterID(single).String())
	cf1 := []ID{MemberID([]string{"http://127.0.0.1:45380"}, "etcd-cluster", nil)}
	assert.Equal(t, "2201b72faabfdd79", ClusterID(cf1).String())
}

func TestIDStringHasNoLeadingZerosAndParsesBack(t *testing.T) {
	assert.Equal(t, "a20b5b052601", ID(0xa20b5b052601).String())
	id, err := ParseID("00000a20b5b052601")
	require.NoError(t, err)
	assert.Equal(t, ID(0xa20b5b052601), id)
	_, err = ParseID("xyz")
	assert.ErrorContains(t, err, `"xyz" is not a member ID`)
}
