package transport

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"skiff/raft/raftpb"
)

const testClusterID uint64 = 0x998d851d58177d55

// fakeRaft records what the transport hands to raft.
type fakeRaft struct {
	msgs        chan raftpb.Message
	mu          sync.Mutex
	unreachable map[uint64]int
	snapshots   chan snapshotReport
}

type snapshotReport struct {
	id     uint64
	failed bool
}

func newFakeRaft() *fakeRaft {
	return &fakeRaft{
		msgs:        make(chan raftpb.Message, 100000),
		unreachable: make(map[uint64]int),
		snapshots:   make(chan snapshotReport, 100),
	}
}

func (r *fakeRaft) Process(ctx context.Context, m raftpb.Message) error {
	select {
	case r.msgs <- m:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *fakeRaft) ReportUnreachable(id uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.unreachable[id]++
}

func (r *fakeRaft) ReportSnapshot(id uint64, failed bool) {
	r.snapshots <- snapshotReport{id, failed}
}

func (r *fakeRaft) unreachableCount(id uint64) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.unreachable[id]
}

// receive waits for n messages.
func (r *fakeRaft) receive(t testing.TB, n int) []raftpb.Message {
	t.Helper()
	out := make([]raftpb.Message, 0, n)
	timeout := time.After(10 * time.Second)
	for len(out) < n {
		select {
		case m := <-r.msgs:
			out = append(out, m)
		case <-timeout:
			t.Fatalf("received %d of %d messages before the timeout", len(out), n)
		}
	}
	return out
}

// member is one transport serving on a loopback listener.
type member struct {
	id   uint64
	tr   *Transport
	raft *fakeRaft
	srv  *http.Server
	url  string
	addr string
	done chan struct{}
}

// startMember starts a transport for id listening on addr ("" for any port).
func startMember(t testing.TB, id uint64, addr string, tweak func(*Config)) *member {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	m := &member{id: id, raft: newFakeRaft(), addr: l.Addr().String(), done: make(chan struct{})}
	cfg := Config{ID: id, ClusterID: testClusterID, Raft: m.raft,
		BackoffMin: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond}
	if tweak != nil {
		tweak(&cfg)
	}
	if m.tr, err = New(cfg); err != nil {
		t.Fatalf("New: %v", err)
	}
	m.url = "http://" + m.addr
	m.srv = &http.Server{Handler: m.tr.Handler()}
	go func() {
		defer close(m.done)
		m.srv.Serve(l)
	}()
	t.Cleanup(m.stop)
	return m
}

// stop stops the transport, then the server, as a member shutting down does.
func (m *member) stop() {
	m.tr.Stop()
	m.srv.Close()
	<-m.done
}

// connect makes every member a peer of every other.
func connect(members ...*member) {
	for _, a := range members {
		for _, b := range members {
			if a != b {
				a.tr.AddPeer(b.id, []string{b.url})
			}
		}
	}
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// checkGoroutines fails the test if goroutines started during it are still
// running once its cleanups are done. Call it first, so it runs last.
func checkGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				n := runtime.Stack(buf, true)
				t.Errorf("%d goroutines leaked:\n%s", runtime.NumGoroutine()-before, leaked(buf[:n]))
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// leaked keeps the stacks that mention this package.
func leaked(stacks []byte) string {
	var b strings.Builder
	for _, g := range strings.Split(string(stacks), "\n\n") {
		if strings.Contains(g, "skiff/transport") && !strings.Contains(g, "checkGoroutines") {
			fmt.Fprintln(&b, g)
			fmt.Fprintln(&b)
		}
	}
	return b.String()
}

func appendMsg(from, to, index uint64, entries int, size int) raftpb.Message {
	m := raftpb.Message{Type: raftpb.MsgAppendEntries, From: from, To: to, Term: 1,
		PrevLogIndex: index, PrevLogTerm: 1, LeaderCommit: index}
	for i := range entries {
		m.Entries = append(m.Entries, raftpb.Entry{Term: 1, Index: index + uint64(i) + 1,
			Data: make([]byte, size)})
	}
	return m
}

// openSilentStream opens a stream from member from to member to at url, as
// a raw client that never writes a byte. Closing happens in t.Cleanup.
func openSilentStream(t *testing.T, url string, from, to uint64) *http.Response {
	t.Helper()
	body, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, url+StreamPath, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range goodHeaders(from, to) {
		req.Header.Set(k, v)
	}
	client := &http.Client{}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pw.Close()
		resp.Body.Close()
		client.CloseIdleConnections()
	})
	return resp
}
