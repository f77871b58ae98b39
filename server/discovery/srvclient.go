package discovery

import (
	"context"
	"fmt"
	"io"
)

// ClientEndpoints looks up _etcd-client-ssl._tcp and _etcd-client._tcp
// under the domain (with the -<ServiceName> suffix when set) and returns the
// client endpoints they give, https ones first, as etcdctl --discovery-srv
// does (contract §5.1, §7.2). Unless insecure is set (etcdctl
// --insecure-discovery), http:// endpoints are dropped, each with etcdctl's
// line `ignoring discovered insecure endpoint "<url>"` on stderr (nil
// stderr: no lines). The result may then be empty; etcdctl then falls back
// to --endpoints.
//
// As in etcdctl, a lookup that fails is skipped; only when both fail is
// there an error, with etcdctl's text: "dns lookup errors: <TLS lookup's
// error> and <plain lookup's error>".
func (s SRV) ClientEndpoints(ctx context.Context, insecure bool, stderr io.Writer) ([]string, error) {
	secure, errHTTPS := s.lookupService(ctx, "etcd-client-ssl", "https")
	plain, errHTTP := s.lookupService(ctx, "etcd-client", "http")
	if errHTTPS != nil && errHTTP != nil {
		return nil, fmt.Errorf("dns lookup errors: %s and %s", errHTTPS, errHTTP)
	}
	entries := append(secure, plain...)
	endpoints := []string{}
	for _, e := range entries {
		if e.scheme == "http" && !insecure {
			if stderr != nil {
				fmt.Fprintf(stderr, "ignoring discovered insecure endpoint %q\n", e.url())
			}
			continue
		}
		endpoints = append(endpoints, e.url())
	}
	return endpoints, nil
}
