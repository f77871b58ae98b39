package membership

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewClusterDerivesEtcdsIDs(t *testing.T) {
	m, err := ParseURLsMap("n1=http://127.0.0.1:12380,n2=http://127.0.0.1:22380,n3=http://127.0.0.1:32380")
	require.NoError(t, err)
	c, err := NewCluster("tkn", m)
	require.NoError(t, err)
	assert.Equal(t, "998d851d58177d55", c.ID.String())
	n1, ok := c.MemberByName("n1")
	require.True(t, ok)
	assert.Equal(t, "77f41cbd71028a3a", n1.ID.String())
	got, ok := c.Member(n1.ID)
	require.True(t, ok)
	assert.Equal(t, "n1", got.Name)
	ids := c.MemberIDs()
	assert.IsIncreasing(t, ids)
}

func TestNewClusterRejectsTwoNamesWithTheSameURLs(t *testing.T) {
	// ParseURLsMap refuses a shared URL, so build the map by hand.
	_, err := NewCluster("t", URLsMap{"a": {"http://h:1"}, "b": {"http://h:1"}})
	assert.ErrorContains(t, err, `members "a" and "b" have the same peer URLs`)
}

// TestMemberJSONViewsMatchEtcd compares with bodies captured from etcd 3.4.23
// (peer GET /members and client GET /v2/members of a one-member cluster).
func TestMemberJSONViewsMatchEtcd(t *testing.T) {
	m := NewMember("n1", []string{"http://127.0.0.1:45380"}, "etcd-cluster", nil)
	m.ClientURLs = []string{"http://127.0.0.1:45379"}

	peer, err := json.Marshal([]PeerView{m.PeerView()})
	require.NoError(t, err)
	assert.Equal(t, `[{"id":17227010664766480024,"peerURLs":["http://127.0.0.1:45380"],"name":"n1","clientURLs":["http://127.0.0.1:45379"]}]`, string(peer))

	client, err := json.Marshal(ClientList{Members: []ClientView{m.ClientView()}})
	require.NoError(t, err)
	assert.Equal(t, `{"members":[{"id":"ef12a2ed4f459e98","name":"n1","peerURLs":["http://127.0.0.1:45380"],"clientURLs":["http://127.0.0.1:45379"]}]}`, string(client))

	var back []PeerView
	require.NoError(t, json.Unmarshal(peer, &back))
	assert.Equal(t, m, back[0].Member())
	fromClient, err := m.ClientView().Member()
	require.NoError(t, err)
	assert.Equal(t, m, fromClient)
}

func TestUnstartedMemberShowsEmptyListsNotNull(t *testing.T) {
	m := NewMember("", []string{"http://h:1"}, "", nil)
	assert.False(t, m.IsStarted())
	b, err := json.Marshal(m.ClientView())
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"`+m.ID.String()+`","name":"","peerURLs":["http://h:1"],"clientURLs":[]}`, string(b))
}
