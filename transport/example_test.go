package transport_test

import (
	"context"
	"fmt"
	"net/http"

	"skiff/raft/raftpb"
	"skiff/transport"
	"skiff/transport/memnet"
)

// printer is a Raft that prints what it receives and signals done.
type printer struct{ done chan struct{} }

func (p printer) Process(ctx context.Context, m raftpb.Message) error {
	fmt.Printf("member %x got %s from %x, term %d\n", m.To, m.Type, m.From, m.Term)
	close(p.done)
	return nil
}
func (p printer) ReportUnreachable(id uint64)           {}
func (p printer) ReportSnapshot(id uint64, failed bool) {}

// Two members: member 2 serves its transport's Handler on its peer URL,
// member 1 adds it as a peer and sends it a heartbeat. The in-memory network
// stands in for TCP; a server listens on its real peer URLs instead.
func Example() {
	network := memnet.New()
	listener, _ := network.Listen("member2:2380")

	received := printer{done: make(chan struct{})}
	two, _ := transport.New(transport.Config{ID: 2, ClusterID: 0xc1, Raft: received})
	server := &http.Server{Handler: two.Handler()}
	go server.Serve(listener)

	one, _ := transport.New(transport.Config{ID: 1, ClusterID: 0xc1, Raft: printer{make(chan struct{})}, Dial: network.Dial})
	one.AddPeer(2, []string{"http://member2:2380"})
	one.Send([]raftpb.Message{{Type: raftpb.MsgHeartbeat, From: 1, To: 2, Term: 5}})
	<-received.done

	one.Stop()
	two.Stop()
	server.Close()
	// Output: member 2 got Heartbeat from 1, term 5
}
