package memnet_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"skiff/raft/raftpb"
	"skiff/transport"
	"skiff/transport/memnet"
)

type inbox chan raftpb.Message

func (in inbox) Process(ctx context.Context, m raftpb.Message) error {
	in <- m
	return nil
}
func (in inbox) ReportUnreachable(uint64)    {}
func (in inbox) ReportSnapshot(uint64, bool) {}

// TestTransportsOverMemnet: two transports exchange messages with no
// sockets at all, and a dial to an address nobody listens on is refused.
func TestTransportsOverMemnet(t *testing.T) {
	n := memnet.New()
	l, err := n.Listen("member2:2380")
	if err != nil {
		t.Fatal(err)
	}
	in := make(inbox, 10)
	b, err := transport.New(transport.Config{ID: 2, ClusterID: 7, Raft: in})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: b.Handler()}
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.Serve(l)
	}()
	a, err := transport.New(transport.Config{ID: 1, ClusterID: 7, Raft: make(inbox, 10), Dial: n.Dial})
	if err != nil {
		t.Fatal(err)
	}
	a.AddPeer(2, []string{"http://member2:2380"})
	a.Send([]raftpb.Message{{Type: raftpb.MsgHeartbeat, From: 1, To: 2, Term: 3}})
	select {
	case m := <-in:
		if m.Term != 3 {
			t.Fatalf("got term %d, want 3", m.Term)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no message over memnet")
	}
	a.Stop()
	b.Stop()
	srv.Close()
	<-served

	if _, err := n.Dial(context.Background(), "tcp", "member2:2380"); !errors.Is(err, memnet.ErrRefused) {
		t.Fatalf("dial after close: %v, want ErrRefused", err)
	}
	if _, err := n.Listen("x:1"); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Listen("x:1"); err == nil {
		t.Fatal("listening twice on one address succeeded")
	}
}
