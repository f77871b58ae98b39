package tlsutil

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
)

// AutoTLSDir is where --auto-tls (side "client") and --peer-auto-tls (side
// "peer") keep their certificate and key: <data-dir>/fixtures/<side>, as
// etcd does.
func AutoTLSDir(dataDir, side string) string {
	return filepath.Join(dataDir, "fixtures", side)
}

// SelfCert returns the files of a self-signed certificate in dir (cert.pem
// and key.pem), for --auto-tls. A pair already there from an earlier start is
// reused if it loads, so a restarted member keeps its certificate; otherwise
// a new key and certificate for hosts (IP addresses or names, with or
// without a port) are written, the key with mode 0600.
func SelfCert(dir string, hosts []string) (certFile, keyFile string, err error) {
	certFile = filepath.Join(dir, "cert.pem")
	keyFile = filepath.Join(dir, "key.pem")
	if _, err := tls.LoadX509KeyPair(certFile, keyFile); err == nil {
		return certFile, keyFile, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		// A damaged pair is replaced rather than trusted: the certificate is
		// self-signed, so nobody depends on its exact bytes.
		_ = os.Remove(certFile)
		_ = os.Remove(keyFile)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", fmt.Errorf("tlsutil: creating the auto-TLS directory: %w", err)
	}
	ca, err := NewCA("skiff auto-tls")
	if err != nil {
		return "", "", err
	}
	certPEM, keyPEM, err := ca.Issue("skiff", hostNames(hosts))
	if err != nil {
		return "", "", err
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		return "", "", fmt.Errorf("tlsutil: writing the auto-TLS key: %w", err)
	}
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		return "", "", fmt.Errorf("tlsutil: writing the auto-TLS certificate: %w", err)
	}
	return certFile, keyFile, nil
}

// hostNames drops ports and duplicates from hosts.
func hostNames(hosts []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, h := range hosts {
		if host, _, err := net.SplitHostPort(h); err == nil {
			h = host
		}
		if h != "" && !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}
