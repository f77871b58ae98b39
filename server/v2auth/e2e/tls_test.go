package e2e_test

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"skiff/pkg/tlsutil"
	"skiff/server"
	"skiff/server/config"
	"skiff/store"
)

// tlsMember is one member of the mutual-TLS cluster: its listeners (opened
// on port 0 first, so --initial-cluster can name the ports) and its files.
type tlsMember struct {
	name             string
	peerLn, clientLn net.Listener
	cert, key, ca    string
	s                *server.Server
}

func (m *tlsMember) peerURL() string   { return "https://" + m.peerLn.Addr().String() }
func (m *tlsMember) clientURL() string { return "https://" + m.clientLn.Addr().String() }

// TestPeersAndClientsNeedCertificatesOfTheTrustedCA: three members with
// --peer-client-cert-auth and --client-cert-auth, the third holding a
// certificate from another CA. The two trusted members form a quorum and
// commit writes over https; the third can reach neither (each side refuses
// the other's certificate) and never sees the write; a client without a
// certificate is refused, one with a certificate of the CA is served.
func TestPeersAndClientsNeedCertificatesOfTheTrustedCA(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three members")
	}
	dir := t.TempDir()
	ca, err := tlsutil.NewCA("cluster CA")
	require.NoError(t, err)
	rogueCA, err := tlsutil.NewCA("another CA")
	require.NoError(t, err)
	caFile := filepath.Join(dir, "ca.crt")
	require.NoError(t, ca.WriteCert(caFile))

	members := make([]*tlsMember, 3)
	var initial []string
	for i := range members {
		m := &tlsMember{name: fmt.Sprintf("m%d", i+1), ca: caFile}
		m.peerLn, err = net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		m.clientLn, err = net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		issuer := ca
		if i == 2 {
			issuer = rogueCA
		}
		m.cert, m.key, err = issuer.WriteFiles(dir, m.name, m.name, []string{"127.0.0.1"})
		require.NoError(t, err)
		members[i] = m
		initial = append(initial, m.name+"="+m.peerURL())
	}
	for _, m := range members {
		startTLSMember(t, m, filepath.Join(dir, m.name), strings.Join(initial, ","))
	}

	clientCert, clientKey, err := ca.WriteFiles(dir, "client", "client", nil)
	require.NoError(t, err)
	withCert, err := tlsutil.ClientConfig(config.TLSInfo{CertFile: clientCert, KeyFile: clientKey, TrustedCAFile: caFile}, nil, "")
	require.NoError(t, err)
	noCert, err := tlsutil.ClientConfig(config.TLSInfo{TrustedCAFile: caFile}, nil, "")
	require.NoError(t, err)

	// The trusted pair elects a leader and commits a write sent to m1.
	var status int
	require.Eventually(t, func() bool {
		status, _ = put(withCert, members[0].clientURL()+"/v2/keys/tls", "value=yes")
		return status == http.StatusCreated || status == http.StatusOK
	}, 20*time.Second, 100*time.Millisecond, "a write through m1 must commit (last status %d)", status)
	require.Eventually(t, func() bool { return hasKey(members[1].s, "/tls") }, 10*time.Second, 20*time.Millisecond)

	_, err = put(noCert, members[0].clientURL()+"/v2/keys/tls", "value=no")
	require.Error(t, err, "a client without a certificate is refused")

	// The member with the other CA's certificate is cut off.
	time.Sleep(time.Second)
	require.False(t, hasKey(members[2].s, "/tls"), "m3 must not have received the write")
	_, ok := members[2].s.Leader()
	require.False(t, ok, "m3 must not know a leader")
}

func startTLSMember(t *testing.T, m *tlsMember, dataDir, initialCluster string) {
	t.Helper()
	cfg, err := config.Parse([]string{
		"--name", m.name, "--data-dir", dataDir,
		"--listen-peer-urls", m.peerURL(), "--initial-advertise-peer-urls", m.peerURL(),
		"--listen-client-urls", m.clientURL(), "--advertise-client-urls", m.clientURL(),
		"--initial-cluster", initialCluster, "--initial-cluster-token", "tls-test",
		"--heartbeat-interval", "50", "--election-timeout", "500",
		"--peer-cert-file", m.cert, "--peer-key-file", m.key, "--peer-trusted-ca-file", m.ca, "--peer-client-cert-auth",
		"--cert-file", m.cert, "--key-file", m.key, "--trusted-ca-file", m.ca, "--client-cert-auth",
	}, nil)
	require.NoError(t, err)
	m.s, err = server.New(cfg, server.Options{PeerListeners: []net.Listener{m.peerLn}, ClientListeners: []net.Listener{m.clientLn}})
	require.NoError(t, err)
	require.NoError(t, m.s.Start())
	t.Cleanup(m.s.Kill)
}

func put(cfg *tls.Config, url, form string) (int, error) {
	tr := &http.Transport{TLSClientConfig: cfg}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequest("PUT", url, strings.NewReader(form))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func hasKey(s *server.Server, key string) bool {
	_, err := s.Store().Get(store.Keys, key, false, false, time.Now())
	return err == nil
}
