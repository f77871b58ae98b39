package server

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"skiff/server/config"
	"skiff/store"
)

// Three members started with --discovery against a one-member skiff cluster
// find each other (contract §7.1), derive the same cluster ID, and form a
// working cluster.
func TestDiscoveryBootstrapsCluster(t *testing.T) {
	svc := newTestCluster(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := svc.members[0].s.Do(ctx, &store.Request{Method: store.MethodPut, Namespace: store.Keys,
		Key: "/_etcd/registry/tok/_config/size", Value: "3"}); err != nil {
		t.Fatal(err)
	}
	discoveryURL := "http://" + svc.members[0].clientAddr + "/v2/keys/_etcd/registry/tok"

	c := &testCluster{t: t, scheme: "http", extra: []string{"--discovery", discoveryURL}}
	root := t.TempDir()
	for i := range 3 {
		m := &testMember{name: fmt.Sprintf("d%d", i+1), dir: fmt.Sprintf("%s/d%d", root, i+1)}
		m.peerLn, m.clientLn = listenLoopback(t), listenLoopback(t)
		m.peerAddr, m.clientAddr = m.peerLn.Addr().String(), m.clientLn.Addr().String()
		c.members = append(c.members, m)
	}
	t.Cleanup(c.stopAll)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i, m := range c.members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg := c.discoveryConfig(i)
			s, err := New(cfg, Options{Logger: testLogger(m.name),
				PeerListeners: []net.Listener{m.peerLn}, ClientListeners: []net.Listener{m.clientLn}})
			if err == nil {
				err = s.Start()
			}
			m.s, errs[i] = s, err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("%s: %v", c.members[i].name, err)
		}
	}
	c.waitLeader()
	if a, b := c.members[0].s.ClusterID(), c.members[2].s.ClusterID(); a != b {
		t.Fatalf("members disagree on the cluster ID: %s and %s", a, b)
	}
	c.waitStoreIndex(c.put(1, "/found", "each other").Node.ModifiedIndex)
	if len(c.members[0].s.Members()) != 3 {
		t.Fatalf("the discovered cluster has %d members", len(c.members[0].s.Members()))
	}
}

// discoveryConfig is member i's configuration without --initial-cluster.
func (c *testCluster) discoveryConfig(i int) *config.Config {
	m := c.members[i]
	args := []string{
		"--name", m.name, "--data-dir", m.dir,
		"--listen-peer-urls", "http://" + m.peerAddr, "--initial-advertise-peer-urls", "http://" + m.peerAddr,
		"--listen-client-urls", "http://" + m.clientAddr, "--advertise-client-urls", "http://" + m.clientAddr,
		"--heartbeat-interval", "20", "--election-timeout", "200",
	}
	cfg, err := config.Parse(append(args, c.extra...), nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return cfg
}
