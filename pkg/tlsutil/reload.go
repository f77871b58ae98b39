package tlsutil

import (
	"crypto/tls"
	"os"
	"sync"
	"time"
)

// keyPair serves a certificate and key from files and reloads them when
// either file changes, so an operator can rotate a member's certificate by
// replacing the files, without a restart (etcd reads them at every
// handshake). A failed reload (say, the certificate written but not yet the
// key) keeps the pair that worked and tries again at the next handshake.
type keyPair struct {
	certFile, keyFile string

	mu      sync.Mutex
	cert    *tls.Certificate
	stamped [2]fileStamp // of certFile and keyFile when cert was loaded
}

// fileStamp tells whether a file changed: its modification time and size.
type fileStamp struct {
	mod  time.Time
	size int64
}

// newKeyPair loads the pair once, so that a bad pair is an error at start.
func newKeyPair(certFile, keyFile string) (*keyPair, error) {
	kp := &keyPair{certFile: certFile, keyFile: keyFile}
	if err := kp.reload(); err != nil {
		return nil, err
	}
	return kp, nil
}

func stamp(path string) fileStamp {
	st, err := os.Stat(path)
	if err != nil {
		return fileStamp{}
	}
	return fileStamp{st.ModTime(), st.Size()}
}

// reload loads the files if they changed since the last load.
func (kp *keyPair) reload() error {
	now := [2]fileStamp{stamp(kp.certFile), stamp(kp.keyFile)}
	if kp.cert != nil && now == kp.stamped {
		return nil
	}
	cert, err := tls.LoadX509KeyPair(kp.certFile, kp.keyFile)
	if err != nil {
		return err
	}
	kp.cert, kp.stamped = &cert, now
	return nil
}

// current is the pair to present now.
func (kp *keyPair) current() *tls.Certificate {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	_ = kp.reload() // on error the last good pair stays (type comment)
	return kp.cert
}

// getCertificate is tls.Config.GetCertificate for listeners.
func (kp *keyPair) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return kp.current(), nil
}

// getClientCertificate is tls.Config.GetClientCertificate for dialers.
func (kp *keyPair) getClientCertificate(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
	return kp.current(), nil
}
