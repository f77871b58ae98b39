package server

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// With --auto-tls and --peer-auto-tls, three members talk to each other over
// https with generated certificates, and clients reach the API over https.
func TestAutoTLSCluster(t *testing.T) {
	c := newTestCluster(t, 3, "--auto-tls", "--peer-auto-tls")
	lead := c.waitLeader()
	f := (lead + 1) % 3
	c.put(f, "/tls", "yes") // forwarded to the leader over the https transport
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := client.Get("https://" + c.members[f].clientAddr + "/v2/keys/tls?quorum=true")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"value":"yes"`) {
		t.Fatalf("GET over https: %d %s", resp.StatusCode, body)
	}
	// Go's TLS server answers plain http with 400.
	if resp, err := http.PostForm("http://"+c.members[f].clientAddr+"/v2/keys/plain", url.Values{"value": {"x"}}); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("a plain-http request to an https listener: %d", resp.StatusCode)
		}
	}
}

// A certificate file that does not exist is refused at startup, naming the
// flag.
func TestMissingCertificateIsRefused(t *testing.T) {
	c := &testCluster{t: t, scheme: "https", extra: []string{"--cert-file", "/nonexistent/cert.pem", "--key-file", "/nonexistent/key.pem", "--peer-auto-tls"}}
	c.members = []*testMember{{name: "m1", dir: t.TempDir(), peerAddr: freeAddr(t), clientAddr: freeAddr(t)}}
	cfg := c.config(0)
	_, err := New(cfg, Options{})
	if err == nil || !strings.Contains(err.Error(), "--cert-file") {
		t.Fatalf("missing certificate: err = %v, want one naming --cert-file", err)
	}
}
