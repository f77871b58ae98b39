package config

import "net/url"

// validateTLS checks each side's TLS settings against its URLs. The files
// are not opened here; the server's TLS setup reports a missing or bad
// certificate when it loads it.
func (c *Config) validateTLS() error {
	sides := []struct {
		prefix, urlKind string
		tls             TLSInfo
		urls            [][]url.URL
	}{
		{"--", "client", c.ClientTLS, [][]url.URL{c.ListenClientURLs, c.AdvertiseClientURLs}},
		{"--peer-", "peer", c.PeerTLS, [][]url.URL{c.ListenPeerURLs, c.InitialAdvertisePeerURLs}},
	}
	for _, s := range sides {
		if (s.tls.CertFile == "") != (s.tls.KeyFile == "") {
			return invalid("%scert-file and %skey-file must be given together; give both, or neither (and %sauto-tls for a generated certificate)", s.prefix, s.prefix, s.prefix)
		}
		if !s.tls.Empty() {
			continue
		}
		for _, urls := range s.urls {
			for _, u := range urls {
				if u.Scheme == "https" {
					return invalid("TLS key/cert (%scert-file, %skey-file) must be provided for %s url %s with HTTPS scheme; give them, set %sauto-tls, or use http://",
						s.prefix, s.prefix, s.urlKind, u.String(), s.prefix)
				}
			}
		}
	}
	return nil
}
