package ctl

import (
	"skiff/server/discovery"
)

// srvResolver answers --discovery-srv's DNS queries; nil is
// net.DefaultResolver. Tests replace it with a fixed table.
var srvResolver discovery.Resolver

// srvEndpoints applies --discovery-srv with server/discovery's lookup, as
// etcdctl -D does (contract §5.1): the client URLs from
// _etcd-client-ssl._tcp.<domain> (https) and _etcd-client._tcp.<domain>
// (http), "-<name>" added to both services when SKIFFCTL_DISCOVERY_SRV_NAME
// is set, the http:// ones dropped unless --insecure-discovery, each
// dropped one named on stderr. It fails only when both lookups fail, and
// returns nil when no domain is set.
func (r *runner) srvEndpoints(g globals) ([]string, error) {
	if g.srvDomain == "" {
		return nil, nil
	}
	srv := discovery.SRV{Domain: g.srvDomain, ServiceName: g.srvName, Resolver: srvResolver}
	return srv.ClientEndpoints(r.ctx, g.insecureSRV, r.Stderr)
}
