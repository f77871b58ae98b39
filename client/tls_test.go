package client

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writePEM writes one PEM block to dir/name and returns the path.
func writePEM(t *testing.T, dir, name, kind string, der []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// clientCert makes a self-signed client certificate and its key as files.
func clientCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "skiffctl"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return writePEM(t, dir, "client.crt", "CERTIFICATE", der), writePEM(t, dir, "client.key", "EC PRIVATE KEY", keyDER)
}

// TestTLSConfigTrustsTheCAAndPresentsTheCert: with --ca-file the client
// trusts the server's CA, with --cert-file/--key-file it presents its own
// certificate; without the CA the handshake fails and is a cluster error.
func TestTLSConfigTrustsTheCAAndPresentsTheCert(t *testing.T) {
	dir := t.TempDir()
	peerCN := make(chan string, 1)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		peerCN <- r.TLS.PeerCertificates[0].Subject.CommonName
		io.WriteString(w, setReply)
	}))
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusting client's handshake fails on purpose
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := writePEM(t, dir, "ca.crt", "CERTIFICATE", srv.Certificate().Raw)
	certFile, keyFile := clientCert(t, dir)

	cfg, err := TLSConfig(certFile, keyFile, ca)
	if err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, Config{Endpoints: []string{srv.URL}, TLS: cfg})
	if resp, err := c.Get(context.Background(), "/a", nil); err != nil || resp.Node.Value != "1" {
		t.Fatalf("Get over TLS = %v, %v", resp, err)
	}
	if cn := <-peerCN; cn != "skiffctl" {
		t.Errorf("the server saw client certificate %q", cn)
	}

	untrusting := newTestClient(t, Config{Endpoints: []string{srv.URL}})
	_, err = untrusting.Get(context.Background(), "/a", nil)
	if !errors.Is(err, ErrClusterUnavailable) || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("without the CA: %v", err)
	}
}

// TestTLSConfigRejectsBadFiles: each bad combination is named.
func TestTLSConfigRejectsBadFiles(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := clientCert(t, dir)
	garbage := filepath.Join(dir, "garbage.pem")
	os.WriteFile(garbage, []byte("not a certificate"), 0o600)
	cases := map[string]struct{ cert, key, ca, want string }{
		"cert without key":  {certFile, "", "", "both a cert file and a key file"},
		"key without cert":  {"", keyFile, "", "both a cert file and a key file"},
		"key is not a key":  {certFile, garbage, "", "loading the key pair"},
		"missing CA file":   {"", "", filepath.Join(dir, "nope.pem"), "reading the CA file"},
		"CA holds no certs": {"", "", garbage, "holds no PEM certificate"},
	}
	for name, tc := range cases {
		cfg, err := TLSConfig(tc.cert, tc.key, tc.ca)
		if err == nil || !strings.Contains(err.Error(), tc.want) || cfg != nil {
			t.Errorf("%s: TLSConfig = %v, %v; want %q", name, cfg, err, tc.want)
		}
	}
	if cfg, err := TLSConfig("", "", ""); cfg != nil || err != nil {
		t.Errorf("no files: %v, %v; want nil, nil", cfg, err)
	}
}
