package tlsutil

import (
	"crypto/tls"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"skiff/server/config"
)

// TestRotatedCertificateFilesAreServedWithoutARestart: replacing the cert
// and key files changes the certificate the next handshake presents; a
// half-written pair keeps the last good one.
func TestRotatedCertificateFilesAreServedWithoutARestart(t *testing.T) {
	dir := t.TempDir()
	p := newPKI(t, dir)
	scfg, err := ServerConfig(config.TLSInfo{CertFile: p.serverCert, KeyFile: p.serverKey}, nil, "")
	require.NoError(t, err)
	srv := startTLS(t, scfg)
	ccfg, err := ClientConfig(config.TLSInfo{TrustedCAFile: p.caFile}, nil, "")
	require.NoError(t, err)

	served := func() string {
		conn, err := tls.Dial("tcp", srv.Listener.Addr().String(), ccfg)
		require.NoError(t, err)
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0].SerialNumber.String()
	}
	before := served()

	// Rotate: a new certificate from the same CA, written over the files.
	certPEM, keyPEM, err := p.ca.Issue("member", []string{"127.0.0.1"})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p.serverCert, certPEM, 0o600))
	require.NoError(t, os.WriteFile(p.serverKey, keyPEM, 0o600))
	later := time.Now().Add(time.Minute) // a changed stamp even on coarse clocks
	require.NoError(t, os.Chtimes(p.serverCert, later, later))
	rotated := served()
	require.NotEqual(t, before, rotated, "the new certificate is served")

	// Half a rotation: a certificate without its key. The last good pair stays.
	otherCert, _, err := p.ca.Issue("member", []string{"127.0.0.1"})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p.serverCert, otherCert, 0o600))
	even := later.Add(time.Minute)
	require.NoError(t, os.Chtimes(p.serverCert, even, even))
	require.Equal(t, rotated, served(), "a mismatched pair is not used")
}
