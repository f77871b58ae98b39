package v2auth

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"skiff/pkg/tlsutil"
	"skiff/server/config"
	"skiff/server/v2http"
)

// TestClientCertificateNamesTheUser: with --client-cert-auth, a request
// without an Authorization header is made by the user its certificate's
// common name names (as etcd); Basic credentials, when sent, win.
func TestClientCertificateNamesTheUser(t *testing.T) {
	dir := t.TempDir()
	ca, err := tlsutil.NewCA("test CA")
	require.NoError(t, err)
	caFile := filepath.Join(dir, "ca.crt")
	require.NoError(t, ca.WriteCert(caFile))
	srvCert, srvKey, err := ca.WriteFiles(dir, "server", "member", []string{"127.0.0.1"})
	require.NoError(t, err)
	rootCert, rootKey, err := ca.WriteFiles(dir, "root", "root", nil)
	require.NoError(t, err)
	aliceCert, aliceKey, err := ca.WriteFiles(dir, "alice", "alice", nil)
	require.NoError(t, err)

	m := newFakeMember()
	a, err := New(Config{Member: m, BcryptCost: bcrypt.MinCost, ClientCertAuth: true})
	require.NoError(t, err)
	ctx := context.Background()
	_, err = a.CreateUser(ctx, User{User: "root", Password: "rootpw"})
	require.NoError(t, err)
	_, err = a.CreateUser(ctx, User{User: "alice", Password: "pa"})
	require.NoError(t, err)
	require.NoError(t, a.EnableAuth(ctx))

	h, err := v2http.New(v2http.Config{Server: m, Authorizer: a, AuthHandler: a.Handler(), Registry: prometheus.NewRegistry()})
	require.NoError(t, err)
	scfg, err := tlsutil.ServerConfig(config.TLSInfo{CertFile: srvCert, KeyFile: srvKey, ClientCertAuth: true, TrustedCAFile: caFile}, nil, "")
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Listener = tls.NewListener(srv.Listener, scfg) // as the member serves https
	srv.Start()
	t.Cleanup(srv.Close)
	srv.URL = strings.Replace(srv.URL, "http://", "https://", 1)

	status := func(cert, key, basicUser, basicPw string) int {
		ccfg, err := tlsutil.ClientConfig(config.TLSInfo{CertFile: cert, KeyFile: key, TrustedCAFile: caFile}, nil, "")
		require.NoError(t, err)
		tr := &http.Transport{TLSClientConfig: ccfg}
		defer tr.CloseIdleConnections()
		req, err := http.NewRequest("GET", srv.URL+"/v2/auth/users", nil)
		require.NoError(t, err)
		if basicUser != "" {
			req.SetBasicAuth(basicUser, basicPw)
		}
		resp, err := (&http.Client{Transport: tr}).Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, http.StatusOK, status(rootCert, rootKey, "", ""), "root's certificate makes the caller root")
	require.Equal(t, http.StatusUnauthorized, status(aliceCert, aliceKey, "", ""), "alice is not root")
	require.Equal(t, http.StatusOK, status(aliceCert, aliceKey, "root", "rootpw"), "Basic credentials win over the certificate")
	require.Equal(t, http.StatusUnauthorized, status(rootCert, rootKey, "root", "wrong"), "wrong Basic credentials are refused even with root's certificate")
}
