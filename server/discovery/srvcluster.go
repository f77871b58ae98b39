package discovery

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"skiff/server/membership"
)

// localURL is one of this member's peer URLs with the addresses its host
// resolves to.
type localURL struct {
	u     *url.URL
	addrs []netip.Addr
}

// InitialCluster builds the initial cluster from the _etcd-server-ssl and
// _etcd-server SRV records (contract §7.2), in --initial-cluster form. Each
// record becomes <scheme>://<target>:<port>; the record whose target
// resolves to the address and port of one of peerURLs (this member's
// --initial-advertise-peer-urls) is named name, the others get the
// temporary names 0, 1, ... (they take their real names when they publish
// them). The member's ID is derived from the SRV form of its URL, so the
// server finds itself in the result by name.
//
// Records are sorted by target and port within each service, so every
// member computes the same list whatever order DNS returns them in.
// Errors: no records, a record for this member with the other scheme, and
// `cannot find local etcd member "<name>" in SRV records`.
func (s SRV) InitialCluster(ctx context.Context, name string, peerURLs []string) (string, error) {
	local, err := s.resolveLocal(ctx, peerURLs)
	if err != nil {
		return "", err
	}
	entries, err := s.lookupBoth(ctx, "etcd-server-ssl", "etcd-server")
	if err != nil {
		return "", err
	}
	slices.SortStableFunc(entries, func(a, b srvEntry) int {
		return cmp.Or(cmp.Compare(b.scheme, a.scheme), cmp.Compare(a.target, b.target), cmp.Compare(a.port, b.port))
	})
	var items []string
	temp, found := 0, false
	for _, e := range entries {
		mine := s.matchLocal(ctx, e, local)
		if mine == nil {
			items = append(items, strconv.Itoa(temp)+"="+e.url())
			temp++
			continue
		}
		if mine.Scheme != e.scheme {
			return "", fmt.Errorf("bootstrap at %s from DNS for %s has scheme mismatch with expected peer %s; make the record's service (%s for https, %s for http) match --initial-advertise-peer-urls",
				e.url(), e.name, mine, s.queryName("etcd-server-ssl"), s.queryName("etcd-server"))
		}
		found = true
		items = append(items, name+"="+e.url())
	}
	if !found {
		return "", fmt.Errorf("cannot find local etcd member %q in SRV records; none of %s points at the address of --initial-advertise-peer-urls %s",
			name, describeEntries(entries), strings.Join(peerURLs, ","))
	}
	cluster := strings.Join(items, ",")
	if _, err := membership.ParseURLsMap(cluster); err != nil {
		return "", fmt.Errorf("discovery: the SRV records give no usable initial cluster (%v); fix the records under %s", err, s.Domain)
	}
	return cluster, nil
}

// resolveLocal resolves the host of each of this member's peer URLs.
func (s SRV) resolveLocal(ctx context.Context, peerURLs []string) ([]localURL, error) {
	if len(peerURLs) == 0 {
		return nil, fmt.Errorf("discovery: the member has no peer URLs to find itself by in SRV records; set --initial-advertise-peer-urls")
	}
	out := make([]localURL, 0, len(peerURLs))
	for _, raw := range peerURLs {
		u, err := membership.ParseURL(raw)
		if err != nil {
			return nil, fmt.Errorf("discovery: --initial-advertise-peer-urls: %w", err)
		}
		addrs, err := s.resolveHost(ctx, u.Hostname())
		if err != nil {
			return nil, fmt.Errorf("discovery: cannot resolve %s of --initial-advertise-peer-urls (%w); use a name DNS knows, or an IP address", u.Hostname(), err)
		}
		out = append(out, localURL{u: u, addrs: addrs})
	}
	return out, nil
}

// matchLocal returns the local peer URL that e points at (same port, a
// common address), or nil. A target that does not resolve cannot be this
// member; it is kept as another member's, with a warning.
func (s SRV) matchLocal(ctx context.Context, e srvEntry, local []localURL) *url.URL {
	addrs, err := s.resolveHost(ctx, e.target)
	if err != nil {
		s.logger().Warn("SRV target does not resolve; taking it as another member", "record", e.name, "target", e.target, "error", err)
		return nil
	}
	for _, l := range local {
		if l.u.Port() != strconv.Itoa(int(e.port)) {
			continue
		}
		for _, a := range addrs {
			if slices.Contains(l.addrs, a) {
				return l.u
			}
		}
	}
	return nil
}

// resolveHost returns the addresses of host (itself when it is an IP).
func (s SRV) resolveHost(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a.Unmap()}, nil
	}
	ips, err := s.resolver().LookupIPAddr(ctx, host)
	if err != nil {
		return nil, err
	}
	out := make([]netip.Addr, 0, len(ips))
	for _, ip := range ips {
		if a, ok := netip.AddrFromSlice(ip.IP); ok {
			out = append(out, a.Unmap())
		}
	}
	return out, nil
}

// describeEntries lists the URLs the records gave, for an error message.
func describeEntries(entries []srvEntry) string {
	urls := make([]string, len(entries))
	for i, e := range entries {
		urls[i] = e.url()
	}
	return strings.Join(urls, ", ")
}
