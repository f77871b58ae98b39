// Package tlsutil builds the TLS configurations of a skiff member: the
// listeners for client and peer URLs, and the dialer a member uses to reach
// its peers (contract §6.1 TLS flags and §6.3's client-transport-security and
// peer-transport-security blocks, which server/config parses into a
// config.TLSInfo for each side).
//
// Files, one concern each:
//
//	config.go   ServerConfig and ClientConfig: *tls.Config from a TLSInfo
//	autotls.go  --auto-tls: a self-signed certificate kept under the data dir
//	reload.go   certificates read again when their files change
//	certgen.go  CA: make a certificate authority and issue certificates
//	            (used by --auto-tls and by tests across skiff)
//
// Every configuration this package returns refuses anything older than
// TLS 1.2. With ClientCertAuth, a listener refuses a client (or a peer) that
// does not present a certificate signed by the trusted CA.
package tlsutil
