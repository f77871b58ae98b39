package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"time"

	"skiff/server/config"
)

// serverTLS builds the TLS configuration one side (client or peer) serves
// https with, from --cert-file/--key-file (or a self-signed certificate
// with --auto-tls), --trusted-ca-file and --client-cert-auth. It returns nil
// when the side has no TLS settings. prefix names the flags in errors
// ("--" or "--peer-").
func serverTLS(info config.TLSInfo, urls []url.URL, prefix string) (*tls.Config, error) {
	if info.Empty() {
		return nil, nil
	}
	cert, err := loadOrMakeCert(info, urls, prefix)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if info.TrustedCAFile != "" {
		pool, err := loadCAs(info.TrustedCAFile, prefix)
		if err != nil {
			return nil, err
		}
		cfg.ClientCAs = pool
		cfg.RootCAs = pool
	}
	if info.ClientCertAuth {
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// peerDialTLS is the TLS configuration the transport dials peers with: the
// peer certificate (presented when peers check client certificates) and the
// trusted CAs. Without a CA file the peers' certificates cannot be checked,
// which is the case etcd's --peer-auto-tls is for: it then skips the check,
// as etcd does, and relies on the cluster ID check.
func peerDialTLS(serving *tls.Config) *tls.Config {
	if serving == nil {
		return nil
	}
	return &tls.Config{
		Certificates:       serving.Certificates,
		RootCAs:            serving.RootCAs,
		InsecureSkipVerify: serving.RootCAs == nil,
		MinVersion:         tls.VersionTLS12,
	}
}

func loadOrMakeCert(info config.TLSInfo, urls []url.URL, prefix string) (tls.Certificate, error) {
	if info.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(info.CertFile, info.KeyFile)
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("%scert-file %s / %skey-file %s: %w; give a readable PEM certificate and its key",
				prefix, info.CertFile, prefix, info.KeyFile, err)
		}
		return cert, nil
	}
	return selfSignedCert(urls)
}

func loadCAs(file, prefix string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("%strusted-ca-file %s: %w; give a readable PEM file of CA certificates", prefix, file, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%strusted-ca-file %s holds no PEM certificate; give a PEM file of CA certificates", prefix, file)
	}
	return pool, nil
}

// selfSignedCert makes the certificate for --auto-tls: ECDSA P-256, valid
// for a year, for the hosts of urls. It lives in memory only.
func selfSignedCert(urls []url.URL) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{Organization: []string{"skiff"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	for _, u := range urls {
		host := u.Hostname()
		if ip := net.ParseIP(host); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if host != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, host)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, &tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
