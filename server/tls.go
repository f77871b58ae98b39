package server

import (
	"crypto/tls"
	"fmt"
	"net/url"

	"skiff/pkg/tlsutil"
	"skiff/server/config"
)

// serverTLS is the TLS configuration one side (side "client" or "peer")
// serves https with, built by pkg/tlsutil from that side's flags; nil when
// the side has no TLS settings (plain http).
func (s *Server) serverTLS(info config.TLSInfo, urls []url.URL, side string) (*tls.Config, error) {
	if info.Empty() {
		return nil, nil
	}
	cfg, err := tlsutil.ServerConfig(info, urlHosts(urls), tlsutil.AutoTLSDir(s.cfg.DataDir, side))
	if err != nil {
		prefix := "--"
		if side == "peer" {
			prefix = "--peer-"
		}
		return nil, fmt.Errorf("%scert-file, %skey-file, %strusted-ca-file: %w; give readable PEM files, or %sauto-tls",
			prefix, prefix, prefix, err, prefix)
	}
	return cfg, nil
}

// peerDialTLS is the TLS configuration the transport dials https peers with;
// nil when the peer side has no TLS settings.
func (s *Server) peerDialTLS() (*tls.Config, error) {
	if s.cfg.PeerTLS.Empty() {
		return nil, nil
	}
	return tlsutil.ClientConfig(s.cfg.PeerTLS, urlHosts(s.cfg.InitialAdvertisePeerURLs), tlsutil.AutoTLSDir(s.cfg.DataDir, "peer"))
}

func urlHosts(urls []url.URL) []string {
	hosts := make([]string, 0, len(urls))
	for _, u := range urls {
		hosts = append(hosts, u.Hostname())
	}
	return hosts
}
