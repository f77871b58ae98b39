package e2e_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"skiff/server/limits"
	"skiff/tests/cluster"
)

// TestBodyLimitsOnARealMember: a member's client listener keeps etcd's own
// error 210 for a body over Go's 10 MB form cap (contract §1.11), and
// refuses one over limits.DefaultMaxBodyBytes with 413 before reading it.
func TestBodyLimitsOnARealMember(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a member")
	}
	c := cluster.New(t, cluster.Config{Size: 1})
	url := c.Member(0).ClientURL() + "/v2/keys/big"
	put := func(n int) (int, string) {
		body := append([]byte("value="), bytes.Repeat([]byte("v"), n)...)
		req, err := http.NewRequest("PUT", url, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return resp.StatusCode, b.String()
	}
	status, body := put(11 << 20)
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, body, `"errorCode":210`)
	status, body = put(limits.DefaultMaxBodyBytes + 1)
	require.Equal(t, http.StatusRequestEntityTooLarge, status)
	require.Contains(t, body, "over the limit")
}
