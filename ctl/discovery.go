package ctl

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// lookupSRV is net.LookupSRV; tests replace it with a fixed table.
var lookupSRV = net.LookupSRV

// discoverEndpoints finds client URLs in DNS as etcdctl -D does (contract
// §5.1): _etcd-client-ssl._tcp.<domain> gives https URLs and
// _etcd-client._tcp.<domain> gives http ones; a non-empty name adds
// "-<name>" to both services. It fails only when both lookups fail.
func discoverEndpoints(domain, name string) ([]string, error) {
	var eps []string
	lookup := func(service, scheme string) error {
		if name != "" {
			service += "-" + name
		}
		_, addrs, err := lookupSRV(service, "tcp", domain)
		if err != nil {
			return err
		}
		for _, a := range addrs {
			host := net.JoinHostPort(strings.TrimSuffix(a.Target, "."), strconv.Itoa(int(a.Port)))
			eps = append(eps, (&url.URL{Scheme: scheme, Host: host}).String())
		}
		return nil
	}
	errHTTPS := lookup("etcd-client-ssl", "https")
	errHTTP := lookup("etcd-client", "http")
	if errHTTPS != nil && errHTTP != nil {
		return nil, fmt.Errorf("dns lookup errors: %s and %s", errHTTPS, errHTTP)
	}
	return eps, nil
}

// srvEndpoints applies --discovery-srv: the discovered URLs, without the
// http:// ones unless --insecure-discovery, each dropped one named on
// stderr. It returns nil when no domain is set.
func (r *runner) srvEndpoints(g globals) ([]string, error) {
	if g.srvDomain == "" {
		return nil, nil
	}
	eps, err := discoverEndpoints(g.srvDomain, g.srvName)
	if err != nil || g.insecureSRV {
		return eps, err
	}
	var secure []string
	for _, ep := range eps {
		if strings.HasPrefix(ep, "http://") {
			fmt.Fprintf(r.Stderr, "ignoring discovered insecure endpoint %q\n", ep)
			continue
		}
		secure = append(secure, ep)
	}
	return secure, nil
}
