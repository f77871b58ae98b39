package tlsutil

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// CertValidity is how long certificates made by NewCA, Issue and --auto-tls
// are valid. One year, as etcd's self-signed certificates: long enough that a
// member never restarts into an expired one in practice, short enough that a
// leaked auto-TLS key does not stay useful forever.
const CertValidity = 365 * 24 * time.Hour

// CA is a certificate authority held in memory: a self-signed certificate and
// its key. It issues server and client certificates; tests across skiff use
// it to build trusted and untrusted chains, and --auto-tls uses a throwaway
// one per member.
type CA struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
	// CertPEM is Cert encoded as one PEM block, ready for a trusted-CA file.
	CertPEM []byte
}

// NewCA makes a certificate authority whose subject is commonName.
func NewCA(commonName string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("tlsutil: generating the CA key: %w", err)
	}
	tmpl, err := template(commonName)
	if err != nil {
		return nil, err
	}
	tmpl.IsCA = true
	tmpl.BasicConstraintsValid = true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("tlsutil: signing the CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("tlsutil: parsing the CA certificate: %w", err)
	}
	return &CA{Cert: cert, Key: key, CertPEM: encodePEM("CERTIFICATE", der)}, nil
}

// Issue makes a key and a certificate signed by the CA for commonName, valid
// for TLS servers and clients alike (a member's peer certificate is both).
// hosts are IP addresses or DNS names put in the subject alternative names.
// It returns both as PEM.
func (ca *CA) Issue(commonName string, hosts []string) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("tlsutil: generating a key: %w", err)
	}
	tmpl, err := template(commonName)
	if err != nil {
		return nil, nil, err
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	addHosts(tmpl, hosts)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("tlsutil: signing the certificate for %s: %w", commonName, err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("tlsutil: encoding the key for %s: %w", commonName, err)
	}
	return encodePEM("CERTIFICATE", der), encodePEM("EC PRIVATE KEY", keyDER), nil
}

// WriteFiles issues a certificate for commonName and hosts and writes it to
// dir/<name>.crt and its key to dir/<name>.key (mode 0600), returning the two
// paths: the --cert-file and --key-file of a test member or client.
func (ca *CA) WriteFiles(dir, name, commonName string, hosts []string) (certFile, keyFile string, err error) {
	certPEM, keyPEM, err := ca.Issue(commonName, hosts)
	if err != nil {
		return "", "", err
	}
	certFile = filepath.Join(dir, name+".crt")
	keyFile = filepath.Join(dir, name+".key")
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		return "", "", fmt.Errorf("tlsutil: %w", err)
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		return "", "", fmt.Errorf("tlsutil: %w", err)
	}
	return certFile, keyFile, nil
}

// WriteCert writes the CA's certificate to path (a --trusted-ca-file).
func (ca *CA) WriteCert(path string) error {
	if err := os.WriteFile(path, ca.CertPEM, 0o600); err != nil {
		return fmt.Errorf("tlsutil: %w", err)
	}
	return nil
}

// template is what every certificate here shares: a random serial number,
// the subject, and a validity starting an hour ago (clocks of members drift).
func template(commonName string) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("tlsutil: generating a serial number: %w", err)
	}
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: commonName, Organization: []string{"skiff"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(CertValidity),
	}, nil
}

// addHosts puts each host in the certificate as an IP address or a DNS name.
func addHosts(tmpl *x509.Certificate, hosts []string) {
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if h != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
}

func encodePEM(kind string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
}
