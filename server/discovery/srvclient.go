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
func (s SRV) ClientEndpoints(ctx context.Context, insecure bool, stderr io.Writer) ([]string, error) {
	entries, err := s.lookupBoth(ctx, "etcd-client-ssl", "etcd-client")
	if err != nil {
		return nil, err
	}
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
