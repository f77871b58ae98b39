package tlsutil

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"

	"skiff/server/config"
)

// MinVersion is the oldest TLS version any skiff listener or dialer accepts:
// TLS 1.2. TLS 1.0 and 1.1 are deprecated (RFC 8996) and no client skiff
// serves needs them.
const MinVersion = tls.VersionTLS12

// ServerConfig returns the TLS configuration of a listener for one side's
// settings (contract §6.1: --cert-file, --key-file, --client-cert-auth,
// --trusted-ca-file, --auto-tls, or their --peer-* forms):
//
//   - the certificate is CertFile and KeyFile, read again whenever either
//     file changes (rotation without a restart); with AutoTLS and no
//     CertFile it is a self-signed one kept in autoDir (see AutoTLSDir) for
//     hosts;
//   - with ClientCertAuth every client must present a certificate signed by
//     TrustedCAFile, which is then required; a handshake without one fails;
//   - TLS 1.2 is the minimum.
//
// An info with no certificate and no AutoTLS is an error: the URL is not
// meant to be https.
func ServerConfig(info config.TLSInfo, hosts []string, autoDir string) (*tls.Config, error) {
	info, err := resolve(info, hosts, autoDir)
	if err != nil {
		return nil, err
	}
	kp, err := loadKeyPair(info)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{MinVersion: MinVersion, GetCertificate: kp.getCertificate}
	if info.ClientCertAuth {
		if info.TrustedCAFile == "" {
			return nil, fmt.Errorf("tlsutil: client-cert-auth needs a trusted CA file to check client certificates against; give --trusted-ca-file (or --peer-trusted-ca-file)")
		}
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	if info.TrustedCAFile != "" {
		pool, err := loadCAPool(info.TrustedCAFile)
		if err != nil {
			return nil, err
		}
		cfg.ClientCAs = pool
	}
	return cfg, nil
}

// ClientConfig returns the TLS configuration a member dials its peers with
// (the peer side's settings): it presents CertFile/KeyFile (or the auto-TLS
// certificate) so that peers with --peer-client-cert-auth accept it, and it
// trusts TrustedCAFile, or the system roots when none is given. With no
// certificate and no AutoTLS it presents none (a client of a server without
// client-cert-auth).
//
// With AutoTLS and no CertFile the peers' certificates are self-signed and
// cannot be verified, so the server's certificate is not checked, as in etcd:
// --peer-auto-tls encrypts but does not authenticate peers.
func ClientConfig(info config.TLSInfo, hosts []string, autoDir string) (*tls.Config, error) {
	auto := info.AutoTLS && info.CertFile == ""
	var err error
	if auto || info.CertFile != "" || info.KeyFile != "" {
		if info, err = resolve(info, hosts, autoDir); err != nil {
			return nil, err
		}
	}
	cfg := &tls.Config{MinVersion: MinVersion, InsecureSkipVerify: auto}
	if info.CertFile != "" {
		kp, err := loadKeyPair(info)
		if err != nil {
			return nil, err
		}
		cfg.GetClientCertificate = kp.getClientCertificate
	}
	if info.TrustedCAFile != "" {
		if cfg.RootCAs, err = loadCAPool(info.TrustedCAFile); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// resolve fills in the auto-TLS certificate files when AutoTLS is set and no
// certificate was given (a given certificate wins, as in etcd).
func resolve(info config.TLSInfo, hosts []string, autoDir string) (config.TLSInfo, error) {
	if (info.CertFile == "") != (info.KeyFile == "") {
		return info, fmt.Errorf("tlsutil: cert file %q and key file %q must be given together", info.CertFile, info.KeyFile)
	}
	if info.CertFile != "" {
		return info, nil
	}
	if !info.AutoTLS {
		return info, fmt.Errorf("tlsutil: no certificate: give a cert file and a key file, or auto-tls")
	}
	if autoDir == "" {
		return info, fmt.Errorf("tlsutil: auto-tls needs a directory for its certificate (the data dir)")
	}
	var err error
	info.CertFile, info.KeyFile, err = SelfCert(autoDir, hosts)
	return info, err
}

func loadKeyPair(info config.TLSInfo) (*keyPair, error) {
	kp, err := newKeyPair(info.CertFile, info.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("tlsutil: loading certificate %s and key %s: %w", info.CertFile, info.KeyFile, err)
	}
	return kp, nil
}

// loadCAPool reads every certificate of a PEM file into a pool.
func loadCAPool(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tlsutil: reading the trusted CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("tlsutil: trusted CA file %s holds no PEM certificate", path)
	}
	return pool, nil
}
