package discovery

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"skiff/server/config"
	"skiff/server/membership"
)

// parseConfig parses a member's flags as cmd/skiff does.
func parseConfig(t *testing.T, args ...string) *config.Config {
	t.Helper()
	cfg, err := config.Parse(args, nil)
	if err != nil {
		t.Fatalf("config.Parse(%q): %v", args, err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate(%q): %v", args, err)
	}
	return cfg
}

// Contract §7.1, §8: three members started with only --discovery derive,
// from the discovered --initial-cluster, the same cluster, in which each
// finds itself by name with the ID it registered under.
func TestBootstrapWithDiscoveryGivesEveryMemberTheSameClusterAndItsOwnID(t *testing.T) {
	ks := startKeyService(t)
	durl := ks.newToken(t, "boot", "3")
	ms := members(3)
	cfgs := make([]*config.Config, len(ms))
	results, errs := make([]string, len(ms)), make([]error, len(ms))
	var wg sync.WaitGroup
	for i, m := range ms {
		cfgs[i] = parseConfig(t, "--name", m.name, "--initial-advertise-peer-urls", m.peer,
			"--listen-peer-urls", m.peer, "--discovery", durl)
		wg.Go(func() { results[i], errs[i] = Bootstrap(joinCtx(t), cfgs[i], testLogger(t), nil) })
	}
	wg.Wait()
	var clusterIDs []membership.ID
	for i, cfg := range cfgs {
		if errs[i] != nil {
			t.Fatalf("%s: Bootstrap: %v", cfg.Name, errs[i])
		}
		cfg.InitialCluster = results[i]
		cl, err := cfg.InitialMembers()
		if err != nil {
			t.Fatalf("%s: InitialMembers from %q: %v", cfg.Name, results[i], err)
		}
		self, ok := cl.MemberByName(cfg.Name)
		if !ok || self.ID != cfg.MemberID() {
			t.Errorf("%s: found itself as %+v (ok %v), want ID %s", cfg.Name, self, ok, cfg.MemberID())
		}
		if ks.get("/_etcd/registry/boot/"+cfg.MemberID().String()) == "" {
			t.Errorf("%s: not registered under its ID %s", cfg.Name, cfg.MemberID())
		}
		clusterIDs = append(clusterIDs, cl.ID)
	}
	if clusterIDs[0] != clusterIDs[1] || clusterIDs[1] != clusterIDs[2] {
		t.Errorf("cluster IDs differ: %v", clusterIDs)
	}
}

// Contract §7.1: a full token is reported as etcd logs it; with the default
// --discovery-fallback proxy the message says it acts as exit.
func TestBootstrapReportsAFullClusterAsEtcdDoes(t *testing.T) {
	ks := startKeyService(t)
	durl := ks.newToken(t, "full", "1")
	ks.put(t, "/_etcd/registry/full/1", "other=http://127.0.0.1:9")
	cfg := parseConfig(t, "--name", "late", "--initial-advertise-peer-urls", "http://127.0.0.1:12390",
		"--listen-peer-urls", "http://127.0.0.1:12390", "--discovery", durl)
	_, err := Bootstrap(joinCtx(t), cfg, testLogger(t), nil)
	if !errors.Is(err, ErrFullCluster) || !strings.HasPrefix(err.Error(), "failed to join discovery cluster (discovery: cluster is full") ||
		!strings.Contains(err.Error(), "--discovery-fallback proxy acts as exit") {
		t.Fatalf("err = %v", err)
	}
}

// Contract §7.2: with --discovery-srv the member's initial cluster comes
// from the SRV records, and it finds itself in it by name.
func TestBootstrapWithDiscoverySRV(t *testing.T) {
	d := threeMembers(t)
	cfg := parseConfig(t, "--name", "infra3", "--initial-advertise-peer-urls", "http://127.0.0.13:2380",
		"--listen-peer-urls", "http://127.0.0.13:2380", "--discovery-srv", "skiff.test")
	got, err := Bootstrap(srvTestCtx(t), cfg, testLogger(t), d.resolver())
	if err != nil {
		t.Fatalf("Bootstrap: %v", err)
	}
	cfg.InitialCluster = got
	cl, err := cfg.InitialMembers()
	if err != nil {
		t.Fatalf("InitialMembers from %q: %v", got, err)
	}
	if self, ok := cl.MemberByName("infra3"); !ok || self.PeerURLs[0] != "http://m3.skiff.test:2380" || len(cl.Members) != 3 {
		t.Errorf("cluster %+v: want three members, infra3 at http://m3.skiff.test:2380", cl.Members)
	}
}
