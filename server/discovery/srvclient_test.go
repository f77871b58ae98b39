package discovery

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// clientRecords publishes one TLS and one plain client endpoint under
// skiff.test, and one more of each under the "foo" service name.
func clientRecords(t *testing.T) *testDNS {
	d := startDNS(t)
	d.addSRV("_etcd-client-ssl._tcp.skiff.test", "c1.skiff.test", 2379)
	d.addSRV("_etcd-client._tcp.skiff.test", "c2.skiff.test", 4001)
	d.addSRV("_etcd-client-ssl-foo._tcp.skiff.test", "c3.skiff.test", 12379)
	d.addSRV("_etcd-client-foo._tcp.skiff.test", "c4.skiff.test", 14001)
	return d
}

// Contract §5.1: without --insecure-discovery the http:// endpoints are
// dropped, each with etcdctl's line on stderr.
func TestSRVClientEndpointsDropInsecureOnesWithEtcdctlsWarning(t *testing.T) {
	d := clientRecords(t)
	var stderr bytes.Buffer
	got, err := SRV{Domain: "skiff.test", Resolver: d.resolver()}.ClientEndpoints(srvTestCtx(t), false, &stderr)
	if err != nil {
		t.Fatalf("ClientEndpoints: %v", err)
	}
	if want := []string{"https://c1.skiff.test:2379"}; !slices.Equal(got, want) {
		t.Errorf("endpoints = %q, want %q", got, want)
	}
	if want := "ignoring discovered insecure endpoint \"http://c2.skiff.test:4001\"\n"; stderr.String() != want {
		t.Errorf("stderr = %q, want %q", stderr.String(), want)
	}
}

// Contract §5.1: with --insecure-discovery both kinds are kept, https first,
// and nothing is printed.
func TestSRVClientEndpointsKeepInsecureOnesWhenAllowed(t *testing.T) {
	d := clientRecords(t)
	var stderr bytes.Buffer
	got, err := SRV{Domain: "skiff.test", Resolver: d.resolver()}.ClientEndpoints(srvTestCtx(t), true, &stderr)
	if err != nil {
		t.Fatalf("ClientEndpoints: %v", err)
	}
	if want := []string{"https://c1.skiff.test:2379", "http://c2.skiff.test:4001"}; !slices.Equal(got, want) {
		t.Errorf("endpoints = %q, want %q", got, want)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr = %q, want nothing", stderr.String())
	}
}

// Contract §5.1: ETCDCTL_DISCOVERY_SRV_NAME adds "-<name>" to both services.
func TestSRVClientEndpointsUseTheServiceNameSuffix(t *testing.T) {
	d := clientRecords(t)
	got, err := SRV{Domain: "skiff.test", ServiceName: "foo", Resolver: d.resolver()}.ClientEndpoints(srvTestCtx(t), true, nil)
	if err != nil {
		t.Fatalf("ClientEndpoints: %v", err)
	}
	if want := []string{"https://c3.skiff.test:12379", "http://c4.skiff.test:14001"}; !slices.Equal(got, want) {
		t.Errorf("endpoints = %q, want %q", got, want)
	}
}

// Only insecure records and no --insecure-discovery: an empty list, not an
// error (etcdctl then falls back to --endpoints).
func TestSRVClientEndpointsMayAllBeDropped(t *testing.T) {
	d := startDNS(t)
	d.addSRV("_etcd-client._tcp.skiff.test", "c2.skiff.test", 4001)
	got, err := SRV{Domain: "skiff.test", Resolver: d.resolver()}.ClientEndpoints(srvTestCtx(t), false, nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("ClientEndpoints = %q, %v; want an empty list", got, err)
	}
}

// Contract §5.1: no records under either name is etcdctl's error, which
// carries both lookups' errors.
func TestSRVClientEndpointsWithoutRecordsFail(t *testing.T) {
	d := startDNS(t)
	_, err := SRV{Domain: "skiff.test", Resolver: d.resolver()}.ClientEndpoints(srvTestCtx(t), true, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "dns lookup errors: lookup _etcd-client-ssl._tcp.skiff.test") ||
		!strings.Contains(err.Error(), " and lookup _etcd-client._tcp.skiff.test") {
		t.Fatalf("err = %v, want dns lookup errors: lookup _etcd-client-ssl._tcp.skiff.test ... and lookup _etcd-client._tcp.skiff.test ...", err)
	}
}

// Contract §5.1: as in etcdctl, a lookup that fails is skipped when the
// other one answers.
func TestSRVClientEndpointsSkipAFailedLookup(t *testing.T) {
	d := clientRecords(t)
	d.breakName("_etcd-client._tcp.skiff.test")
	got, err := SRV{Domain: "skiff.test", Resolver: d.resolver()}.ClientEndpoints(srvTestCtx(t), true, nil)
	if err != nil {
		t.Fatalf("ClientEndpoints: %v", err)
	}
	if want := []string{"https://c1.skiff.test:2379"}; !slices.Equal(got, want) {
		t.Errorf("endpoints = %q, want %q", got, want)
	}
}
