package discovery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
)

// Resolver is what DNS SRV discovery asks DNS. A *net.Resolver is one; a
// test points its Dial at a DNS server of its own.
type Resolver interface {
	LookupSRV(ctx context.Context, service, proto, name string) (cname string, addrs []*net.SRV, err error)
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// SRV is DNS SRV discovery under one domain (contract §7.2): the servers'
// initial cluster (InitialCluster) and the clients' endpoints
// (ClientEndpoints).
type SRV struct {
	// Domain is --discovery-srv, e.g. "example.com".
	Domain string
	// ServiceName is --discovery-srv-name: when set, each service name gets
	// "-<ServiceName>", as in _etcd-server-ssl-foo._tcp.example.com.
	ServiceName string
	// Resolver answers the SRV and address queries; nil means
	// net.DefaultResolver.
	Resolver Resolver
	// Logger receives warnings (an SRV target that does not resolve); nil
	// discards.
	Logger *slog.Logger
}

// srvEntry is one SRV record turned into a member URL.
type srvEntry struct {
	scheme string // https for the -ssl service, else http
	target string // the SRV target without its trailing dot
	port   uint16
	name   string // the query it came from, e.g. _etcd-server._tcp.example.com
}

// url is the member URL of the entry: scheme://target:port.
func (e srvEntry) url() string {
	return e.scheme + "://" + net.JoinHostPort(e.target, strconv.Itoa(int(e.port)))
}

func (s SRV) resolver() Resolver {
	if s.Resolver == nil {
		return net.DefaultResolver
	}
	return s.Resolver
}

func (s SRV) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// queryName is the DNS name looked up for service, e.g.
// "_etcd-server-ssl-foo._tcp.example.com".
func (s SRV) queryName(service string) string {
	if s.ServiceName != "" {
		service += "-" + s.ServiceName
	}
	return "_" + service + "._tcp." + strings.TrimSuffix(s.Domain, ".")
}

// lookupService reads the SRV records of one service under the domain and
// turns them into entries with the given scheme.
func (s SRV) lookupService(ctx context.Context, service, scheme string) ([]srvEntry, error) {
	if s.Domain == "" {
		return nil, errors.New("discovery: no DNS domain to look up; set --discovery-srv")
	}
	name := s.queryName(service)
	_, addrs, err := s.resolver().LookupSRV(ctx, "", "", name)
	if err != nil {
		return nil, err
	}
	entries := make([]srvEntry, 0, len(addrs))
	for _, a := range addrs {
		entries = append(entries, srvEntry{scheme: scheme, target: strings.TrimSuffix(a.Target, "."), port: a.Port, name: name})
	}
	return entries, nil
}

// lookupBoth queries the TLS service (https URLs) and the plain one (http
// URLs) and returns both sets of records, TLS first. Unlike etcd 3.4 (issue
// 11321) both are always queried and merged. A name that does not exist
// counts as no records; any other DNS failure fails the whole lookup, since
// members that each saw a different half would found different clusters.
func (s SRV) lookupBoth(ctx context.Context, sslService, plainService string) ([]srvEntry, error) {
	var entries []srvEntry
	var missing []string
	for _, q := range []struct{ service, scheme string }{{sslService, "https"}, {plainService, "http"}} {
		found, err := s.lookupService(ctx, q.service, q.scheme)
		var dnsErr *net.DNSError
		switch {
		case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
			missing = append(missing, s.queryName(q.service))
		case err != nil:
			return nil, fmt.Errorf("discovery: looking up SRV records %s: %w; check the DNS server, then start again", s.queryName(q.service), err)
		}
		entries = append(entries, found...)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("discovery: DNS has no SRV records %s; publish them, or check --discovery-srv %q and --discovery-srv-name %q",
			strings.Join(missing, " nor "), s.Domain, s.ServiceName)
	}
	return entries, nil
}
