package tlsutil

import (
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"skiff/server/config"
)

// pki is what a TLS test needs: a trusted CA written to a file, and a
// member certificate and a client certificate it issued.
type pki struct {
	ca                    *CA
	caFile                string
	serverCert, serverKey string
	clientCert, clientKey string
}

func newPKI(t *testing.T, dir string) pki {
	t.Helper()
	ca, err := NewCA("test CA")
	require.NoError(t, err)
	p := pki{ca: ca, caFile: filepath.Join(dir, "ca.crt")}
	require.NoError(t, ca.WriteCert(p.caFile))
	p.serverCert, p.serverKey, err = ca.WriteFiles(dir, "server", "member", []string{"127.0.0.1", "localhost"})
	require.NoError(t, err)
	p.clientCert, p.clientKey, err = ca.WriteFiles(dir, "client", "alice", nil)
	require.NoError(t, err)
	return p
}

// startTLS serves a handler that answers with the client certificate's
// common name ("-" without one) behind cfg.
func startTLS(t *testing.T, cfg *tls.Config) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cn := "-"
		if len(r.TLS.PeerCertificates) > 0 {
			cn = r.TLS.PeerCertificates[0].Subject.CommonName
		}
		_, _ = io.WriteString(w, cn)
	}))
	// Refused handshakes are the point of several tests; keep them quiet.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	// Not StartTLS: it would put its own certificate in cfg.Certificates,
	// which wins over GetCertificate for clients that send no server name.
	srv.Listener = tls.NewListener(srv.Listener, cfg)
	srv.Start()
	srv.URL = strings.Replace(srv.URL, "http://", "https://", 1)
	t.Cleanup(srv.Close)
	return srv
}

// get fetches url with cfg and returns the body, or the error.
func get(t *testing.T, cfg *tls.Config, url string) (string, error) {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: cfg}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// TestClientCertAuthAcceptsOnlyCertificatesOfTheTrustedCA: under
// --client-cert-auth a client with a certificate from the trusted CA gets in
// (and the server sees its name), one without a certificate is refused, and
// one whose certificate another CA signed is refused.
func TestClientCertAuthAcceptsOnlyCertificatesOfTheTrustedCA(t *testing.T) {
	dir := t.TempDir()
	p := newPKI(t, dir)
	scfg, err := ServerConfig(config.TLSInfo{CertFile: p.serverCert, KeyFile: p.serverKey,
		ClientCertAuth: true, TrustedCAFile: p.caFile}, nil, "")
	require.NoError(t, err)
	srv := startTLS(t, scfg)

	// A client with a certificate from the trusted CA.
	ccfg, err := ClientConfig(config.TLSInfo{CertFile: p.clientCert, KeyFile: p.clientKey, TrustedCAFile: p.caFile}, nil, "")
	require.NoError(t, err)
	body, err := get(t, ccfg, srv.URL)
	require.NoError(t, err)
	require.Equal(t, "alice", body)

	// No certificate: it still trusts the server, but is refused.
	noCert, err := ClientConfig(config.TLSInfo{TrustedCAFile: p.caFile}, nil, "")
	require.NoError(t, err)
	_, err = get(t, noCert, srv.URL)
	require.Error(t, err, "a client without a certificate must be refused")

	// A certificate signed by another CA.
	other := newPKI(t, t.TempDir())
	foreign, err := ClientConfig(config.TLSInfo{CertFile: other.clientCert, KeyFile: other.clientKey, TrustedCAFile: p.caFile}, nil, "")
	require.NoError(t, err)
	_, err = get(t, foreign, srv.URL)
	require.Error(t, err, "a certificate from another CA must be refused")
}

// TestServerWithoutClientCertAuthAcceptsAnyClient: without
// --client-cert-auth a client with no certificate is served over TLS.
func TestServerWithoutClientCertAuthAcceptsAnyClient(t *testing.T) {
	p := newPKI(t, t.TempDir())
	scfg, err := ServerConfig(config.TLSInfo{CertFile: p.serverCert, KeyFile: p.serverKey}, nil, "")
	require.NoError(t, err)
	srv := startTLS(t, scfg)
	ccfg, err := ClientConfig(config.TLSInfo{TrustedCAFile: p.caFile}, nil, "")
	require.NoError(t, err)
	body, err := get(t, ccfg, srv.URL)
	require.NoError(t, err)
	require.Equal(t, "-", body)

	// A client that does not trust the CA refuses the server.
	_, err = get(t, &tls.Config{MinVersion: tls.VersionTLS12}, srv.URL)
	require.Error(t, err)
}

// TestTLS11IsRefused: a client that speaks at most TLS 1.1 cannot connect;
// TLS 1.2 is the minimum on both listener and dialer configurations.
func TestTLS11IsRefused(t *testing.T) {
	p := newPKI(t, t.TempDir())
	scfg, err := ServerConfig(config.TLSInfo{CertFile: p.serverCert, KeyFile: p.serverKey}, nil, "")
	require.NoError(t, err)
	require.Equal(t, uint16(tls.VersionTLS12), scfg.MinVersion)
	srv := startTLS(t, scfg)

	ccfg, err := ClientConfig(config.TLSInfo{TrustedCAFile: p.caFile}, nil, "")
	require.NoError(t, err)
	require.Equal(t, uint16(tls.VersionTLS12), ccfg.MinVersion)
	old := ccfg.Clone()
	old.MinVersion = tls.VersionTLS10
	old.MaxVersion = tls.VersionTLS11
	_, err = get(t, old, srv.URL)
	require.Error(t, err, "TLS 1.1 must be refused")

	tls12 := ccfg.Clone()
	tls12.MaxVersion = tls.VersionTLS12
	_, err = get(t, tls12, srv.URL)
	require.NoError(t, err, "TLS 1.2 must be accepted")
}

// TestPeersWithMutualTLS: two members, each listening with the peer side's
// ServerConfig and dialing with its ClientConfig, reach each other under
// --peer-client-cert-auth and see each other's names.
func TestPeersWithMutualTLS(t *testing.T) {
	dir := t.TempDir()
	ca, err := NewCA("peers CA")
	require.NoError(t, err)
	caFile := filepath.Join(dir, "ca.crt")
	require.NoError(t, ca.WriteCert(caFile))
	var servers [2]*httptest.Server
	var dialers [2]*tls.Config
	for i, name := range []string{"m1", "m2"} {
		cert, key, err := ca.WriteFiles(dir, name, name, []string{"127.0.0.1"})
		require.NoError(t, err)
		info := config.TLSInfo{CertFile: cert, KeyFile: key, ClientCertAuth: true, TrustedCAFile: caFile}
		scfg, err := ServerConfig(info, nil, "")
		require.NoError(t, err)
		servers[i] = startTLS(t, scfg)
		dialers[i], err = ClientConfig(info, nil, "")
		require.NoError(t, err)
	}
	body, err := get(t, dialers[0], servers[1].URL)
	require.NoError(t, err)
	require.Equal(t, "m1", body, "m2 sees m1's certificate")
	body, err = get(t, dialers[1], servers[0].URL)
	require.NoError(t, err)
	require.Equal(t, "m2", body, "m1 sees m2's certificate")
}

// TestAutoTLSKeepsItsCertificateUnderTheDataDir: --auto-tls writes a
// self-signed pair under <data-dir>/fixtures/<side>, reuses it on the next
// start, and a peer dialing with --peer-auto-tls connects without verifying.
func TestAutoTLSKeepsItsCertificateUnderTheDataDir(t *testing.T) {
	dataDir := t.TempDir()
	autoDir := AutoTLSDir(dataDir, "peer")
	require.Equal(t, filepath.Join(dataDir, "fixtures", "peer"), autoDir)
	info := config.TLSInfo{AutoTLS: true}
	scfg, err := ServerConfig(info, []string{"127.0.0.1:2380", "localhost"}, autoDir)
	require.NoError(t, err)
	first, err := os.ReadFile(filepath.Join(autoDir, "cert.pem"))
	require.NoError(t, err)
	st, err := os.Stat(filepath.Join(autoDir, "key.pem"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	_, err = ServerConfig(info, nil, autoDir)
	require.NoError(t, err)
	again, err := os.ReadFile(filepath.Join(autoDir, "cert.pem"))
	require.NoError(t, err)
	require.Equal(t, first, again, "a restart reuses the certificate")

	srv := startTLS(t, scfg)
	ccfg, err := ClientConfig(info, nil, autoDir)
	require.NoError(t, err)
	require.True(t, ccfg.InsecureSkipVerify)
	require.NotNil(t, ccfg.GetClientCertificate, "the dialer presents the auto-TLS certificate")
	_, err = get(t, ccfg, srv.URL)
	require.NoError(t, err)
}

// TestBadTLSSettingsAreClearErrors: each misconfiguration is an error that
// names the problem, never a panic.
func TestBadTLSSettingsAreClearErrors(t *testing.T) {
	dir := t.TempDir()
	p := newPKI(t, dir)
	garbage := filepath.Join(dir, "garbage.pem")
	require.NoError(t, os.WriteFile(garbage, []byte("not pem"), 0o600))
	cases := []struct {
		name string
		info config.TLSInfo
		want string
	}{
		{"nothing", config.TLSInfo{}, "no certificate"},
		{"cert without key", config.TLSInfo{CertFile: p.serverCert}, "must be given together"},
		{"missing files", config.TLSInfo{CertFile: "/nope.crt", KeyFile: "/nope.key"}, "loading certificate"},
		{"key does not match", config.TLSInfo{CertFile: p.serverCert, KeyFile: p.clientKey}, "loading certificate"},
		{"client-cert-auth without CA", config.TLSInfo{CertFile: p.serverCert, KeyFile: p.serverKey, ClientCertAuth: true}, "trusted CA"},
		{"CA file missing", config.TLSInfo{CertFile: p.serverCert, KeyFile: p.serverKey, TrustedCAFile: "/nope.pem"}, "trusted CA file"},
		{"CA file not PEM", config.TLSInfo{CertFile: p.serverCert, KeyFile: p.serverKey, TrustedCAFile: garbage}, "no PEM certificate"},
		{"auto-tls without a dir", config.TLSInfo{AutoTLS: true}, "needs a directory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ServerConfig(c.info, nil, "")
			require.ErrorContains(t, err, c.want)
		})
	}
}
