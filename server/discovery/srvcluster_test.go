package discovery

import (
	"context"
	"strings"
	"testing"
	"time"

	"skiff/server/membership"
)

// srvTestCtx bounds one test's DNS queries.
func srvTestCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// threeMembers publishes three members' SRV and A records under
// skiff.test: m1 and m2 over TLS, m3 over plain http.
func threeMembers(t *testing.T) *testDNS {
	d := startDNS(t)
	d.addSRV("_etcd-server-ssl._tcp.skiff.test", "m1.skiff.test", 2380)
	d.addSRV("_etcd-server-ssl._tcp.skiff.test", "m2.skiff.test", 2380)
	d.addSRV("_etcd-server._tcp.skiff.test", "m3.skiff.test", 2380)
	d.addA("m1.skiff.test", "127.0.0.11")
	d.addA("m2.skiff.test", "127.0.0.12")
	d.addA("m3.skiff.test", "127.0.0.13")
	return d
}

// Contract §7.2: both services are queried and merged (etcd 3.4's issue
// 11321, which drops the http records, is not copied); the member whose
// advertised address the record resolves to gets its own name, the others
// temporary names 0, 1, ...; the URLs are the SRV targets without the dot.
func TestSRVInitialClusterMergesTLSAndPlainRecordsAndNamesTheLocalMember(t *testing.T) {
	d := threeMembers(t)
	srv := SRV{Domain: "skiff.test", Resolver: d.resolver()}
	cases := []struct {
		name, peerURL, want string
	}{
		{"infra1", "https://127.0.0.11:2380",
			"infra1=https://m1.skiff.test:2380,0=https://m2.skiff.test:2380,1=http://m3.skiff.test:2380"},
		{"infra2", "https://m2.skiff.test:2380",
			"0=https://m1.skiff.test:2380,infra2=https://m2.skiff.test:2380,1=http://m3.skiff.test:2380"},
		{"infra3", "http://127.0.0.13:2380",
			"0=https://m1.skiff.test:2380,1=https://m2.skiff.test:2380,infra3=http://m3.skiff.test:2380"},
	}
	var clusterIDs []membership.ID
	for _, c := range cases {
		got, err := srv.InitialCluster(srvTestCtx(t), c.name, []string{c.peerURL})
		if err != nil {
			t.Fatalf("%s: InitialCluster: %v", c.name, err)
		}
		if got != c.want {
			t.Errorf("%s (%s):\n got %s\nwant %s", c.name, c.peerURL, got, c.want)
		}
		// Names differ from member to member, but the member IDs, and so
		// the cluster ID, depend only on the URLs: all three agree.
		m, err := membership.ParseURLsMap(got)
		if err != nil {
			t.Fatalf("%s: the result is not an --initial-cluster: %v", c.name, err)
		}
		cl, err := membership.NewCluster("srv-token", m)
		if err != nil {
			t.Fatalf("%s: NewCluster: %v", c.name, err)
		}
		if _, ok := cl.MemberByName(c.name); !ok {
			t.Errorf("%s: not in its own cluster %s", c.name, got)
		}
		clusterIDs = append(clusterIDs, cl.ID)
	}
	if clusterIDs[0] != clusterIDs[1] || clusterIDs[1] != clusterIDs[2] {
		t.Errorf("the three members derived different cluster IDs: %v", clusterIDs)
	}
}

// Contract §7.2: with --discovery-srv-name foo the services become
// _etcd-server-ssl-foo._tcp and _etcd-server-foo._tcp; the unsuffixed ones
// are not used.
func TestSRVInitialClusterUsesTheServiceNameSuffix(t *testing.T) {
	d := threeMembers(t)
	d.addSRV("_etcd-server-foo._tcp.skiff.test", "m9.skiff.test", 12380)
	d.addA("m9.skiff.test", "127.0.0.19")
	srv := SRV{Domain: "skiff.test", ServiceName: "foo", Resolver: d.resolver()}
	got, err := srv.InitialCluster(srvTestCtx(t), "solo", []string{"http://127.0.0.19:12380"})
	if err != nil {
		t.Fatalf("InitialCluster: %v", err)
	}
	if want := "solo=http://m9.skiff.test:12380"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// Contract §7.2: no record resolving to this member's address is an error
// with etcd's words; so is a port that differs.
func TestSRVInitialClusterCannotFindTheLocalMember(t *testing.T) {
	d := threeMembers(t)
	srv := SRV{Domain: "skiff.test", Resolver: d.resolver()}
	for _, peer := range []string{"http://127.0.0.99:2380", "http://127.0.0.13:2381"} {
		_, err := srv.InitialCluster(srvTestCtx(t), "infra9", []string{peer})
		if err == nil || !strings.HasPrefix(err.Error(), `cannot find local etcd member "infra9" in SRV records`) {
			t.Errorf("peer %s: err = %v, want cannot find local etcd member \"infra9\" in SRV records", peer, err)
		}
	}
}

// Contract §7.2: the record for this member comes from the TLS service but
// the member advertises http: a scheme mismatch is an error.
func TestSRVInitialClusterRefusesASchemeMismatchForItsOwnEntry(t *testing.T) {
	d := threeMembers(t)
	srv := SRV{Domain: "skiff.test", Resolver: d.resolver()}
	_, err := srv.InitialCluster(srvTestCtx(t), "infra1", []string{"http://127.0.0.11:2380"})
	if err == nil || !strings.Contains(err.Error(), "scheme mismatch") || !strings.Contains(err.Error(), "https://m1.skiff.test:2380") {
		t.Fatalf("err = %v, want a scheme mismatch naming https://m1.skiff.test:2380", err)
	}
}

// No SRV records at all: the error names both queries and the flags.
func TestSRVInitialClusterWithoutRecordsNamesBothQueries(t *testing.T) {
	d := startDNS(t)
	srv := SRV{Domain: "empty.test", Resolver: d.resolver()}
	_, err := srv.InitialCluster(srvTestCtx(t), "infra1", []string{"http://127.0.0.1:2380"})
	if err == nil {
		t.Fatal("InitialCluster succeeded without records")
	}
	for _, want := range []string{"_etcd-server-ssl._tcp.empty.test", "_etcd-server._tcp.empty.test", "--discovery-srv"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v; want it to mention %s", err, want)
		}
	}
}

// A record whose target does not resolve cannot be this member; it stays
// in the cluster as another member's, so that every member, whatever its
// resolver saw, derives the same member list.
func TestSRVInitialClusterKeepsAnUnresolvableTargetAsAnotherMember(t *testing.T) {
	d := threeMembers(t)
	d.addSRV("_etcd-server._tcp.skiff.test", "gone.skiff.test", 2380)
	srv := SRV{Domain: "skiff.test", Resolver: d.resolver()}
	got, err := srv.InitialCluster(srvTestCtx(t), "infra3", []string{"http://127.0.0.13:2380"})
	if err != nil {
		t.Fatalf("InitialCluster: %v", err)
	}
	want := "0=https://m1.skiff.test:2380,1=https://m2.skiff.test:2380,2=http://gone.skiff.test:2380,infra3=http://m3.skiff.test:2380"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// A DNS failure (not "no such name") on one of the two services stops the
// bootstrap: a member that went on with half the records would found a
// different cluster from the others.
func TestSRVInitialClusterFailsWhenOneLookupFails(t *testing.T) {
	d := threeMembers(t)
	d.breakName("_etcd-server._tcp.skiff.test")
	srv := SRV{Domain: "skiff.test", Resolver: d.resolver()}
	_, err := srv.InitialCluster(srvTestCtx(t), "infra1", []string{"https://127.0.0.11:2380"})
	if err == nil || !strings.Contains(err.Error(), "_etcd-server._tcp.skiff.test") {
		t.Fatalf("err = %v, want a failure naming _etcd-server._tcp.skiff.test", err)
	}
}
