package transport

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"skiff/raft/raftpb"
)

// TestStreamsOverTLS: with Config.TLS set, streams and snapshots work to an
// https peer URL.
func TestStreamsOverTLS(t *testing.T) {
	checkGoroutines(t)
	rb := newFakeRaft()
	b, err := New(Config{ID: 2, ClusterID: testClusterID, Raft: rb})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(b.Handler())
	srv.StartTLS()
	defer srv.Close()
	defer b.Stop()

	tlsCfg := srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	a, err := New(Config{ID: 1, ClusterID: testClusterID, Raft: newFakeRaft(), TLS: tlsCfg})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Stop()
	a.AddPeer(2, []string{srv.URL})
	a.Send([]raftpb.Message{{Type: raftpb.MsgHeartbeat, From: 1, To: 2, Term: 4}, snapshotMsg(1, 2, 1<<16, 5)})
	got := rb.receive(t, 2)
	if got[0].Type == got[1].Type {
		t.Fatalf("got %s and %s, want a heartbeat and a snapshot", describe(&got[0]), describe(&got[1]))
	}
}

// TestInjectedDialIsUsed: Config.Dial replaces the network, so tests can
// run the transport over an in-memory or faulty connection.
func TestInjectedDialIsUsed(t *testing.T) {
	checkGoroutines(t)
	b := startMember(t, 2, "", nil)
	var dials atomic.Int32
	a := startMember(t, 1, "", func(c *Config) {
		c.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			var d net.Dialer
			return d.DialContext(ctx, network, b.addr) // whatever the URL says
		}
	})
	a.tr.AddPeer(2, []string{"http://peer-two.invalid:2380"})
	a.tr.Send(heartbeats(1, 2, 8))
	if m := b.raft.receive(t, 1)[0]; m.Term != 8 {
		t.Fatalf("got %s", describe(&m))
	}
	if dials.Load() == 0 {
		t.Fatal("Config.Dial was not used")
	}
}
