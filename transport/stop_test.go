package transport

import (
	"io"
	"net/http"
	"testing"
	"time"

	"skiff/raft/raftpb"
)

// TestStopEndsEverything: Stop, called while three members stream to each
// other and a snapshot is in flight, returns with every goroutine of the
// transport gone (checkGoroutines), and later calls do nothing.
func TestStopEndsEverything(t *testing.T) {
	checkGoroutines(t)
	ms := []*member{startMember(t, 1, "", nil), startMember(t, 2, "", nil), startMember(t, 3, "", nil)}
	connect(ms...)
	stopSending := make(chan struct{})
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for i := uint64(0); ; i++ {
			select {
			case <-stopSending:
				return
			default:
			}
			ms[0].tr.Send([]raftpb.Message{appendMsg(1, 2, i, 4, 100), appendMsg(1, 3, i, 4, 100)})
			ms[1].tr.Send(heartbeats(2, 1, i))
		}
	}()
	ms[0].tr.Send([]raftpb.Message{snapshotMsg(1, 3, 1<<20, 3)})
	waitFor(t, "traffic", func() bool { return ms[1].tr.Stats()[1].MessagesReceived > 100 })
	for _, m := range ms {
		m.tr.Stop()
	}
	close(stopSending)
	<-sent
	ms[0].tr.Stop() // a second Stop is harmless
	ms[0].tr.Send(heartbeats(1, 2, 1))
	ms[0].tr.AddPeer(4, []string{"http://127.0.0.1:1"})
	if len(ms[0].tr.ActivePeers()) != 0 {
		t.Fatalf("active peers after Stop: %v", ms[0].tr.ActivePeers())
	}
}

// TestStopUnblocksSilentInboundStream: an inbound stream whose sender
// never writes does not keep Stop waiting.
func TestStopUnblocksSilentInboundStream(t *testing.T) {
	checkGoroutines(t)
	b := startMember(t, 2, "", nil)
	resp := openSilentStream(t, b.url, 1, 2)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stream refused: %s", resp.Status)
	}
	stopped := make(chan struct{})
	go func() {
		b.tr.Stop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop is waiting for a silent inbound stream")
	}
	// The server ends the stream, which the sender sees as the end of the
	// response body.
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Logf("response body ended with %v", err)
	}
}
