package transport

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// blackholeProxy forwards TCP connections to target until blackhole is
// set; then it keeps every connection open but silently discards what
// flows through, like a network partition without resets.
type blackholeProxy struct {
	l         net.Listener
	target    string
	blackhole atomic.Bool
	mu        sync.Mutex
	conns     []net.Conn
	wg        sync.WaitGroup
}

func startProxy(t *testing.T, target string) *blackholeProxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &blackholeProxy{l: l, target: target}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *blackholeProxy) accept() {
	defer p.wg.Done()
	for {
		in, err := p.l.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", p.target)
		if err != nil {
			in.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, in, out)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(in, out)
		go p.pipe(out, in)
	}
}

// pipe copies src to dst, dropping the bytes while the blackhole is on.
func (p *blackholeProxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !p.blackhole.Load() {
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			dst.Close()
			return
		}
	}
}

func (p *blackholeProxy) close() {
	p.l.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// TestSilentPeerIsDetected: when the network silently swallows a stream's
// traffic (no reset, no close), the keepalives stop, the sender closes the
// stream and reports the peer unreachable within IdleTimeout, and it
// reconnects once the network delivers again.
func TestSilentPeerIsDetected(t *testing.T) {
	checkGoroutines(t)
	// IdleTimeout is short to keep the test quick, yet four keepalive
	// intervals long, so a loaded machine does not drop a healthy stream.
	fast := func(c *Config) { c.IdleTimeout = 800 * time.Millisecond; c.DialTimeout = 500 * time.Millisecond }
	a, b := startMember(t, 1, "", fast), startMember(t, 2, "", fast)
	proxy := startProxy(t, b.addr)
	a.tr.AddPeer(2, []string{"http://" + proxy.l.Addr().String()})
	a.tr.Send(heartbeats(1, 2, 1))
	b.raft.receive(t, 1)

	// Idle but healthy: keepalives keep the stream up past IdleTimeout.
	since := a.tr.ActiveSince(2)
	time.Sleep(1200 * time.Millisecond)
	if got := a.tr.ActiveSince(2); !got.Equal(since) {
		t.Fatalf("an idle healthy stream reconnected: active since %v, then %v", since, got)
	}

	proxy.blackhole.Store(true)
	waitFor(t, "the silent stream to be dropped", func() bool { return !a.tr.IsActive(2) })
	waitFor(t, "ReportUnreachable(2)", func() bool { return a.raft.unreachableCount(2) > 0 })

	proxy.blackhole.Store(false)
	waitFor(t, "the stream to reconnect", func() bool { return a.tr.IsActive(2) })
	a.tr.Send(heartbeats(1, 2, 2))
	if m := b.raft.receive(t, 1)[0]; m.Term != 2 {
		t.Fatalf("after the partition healed, got %s", describe(&m))
	}
}

// TestSilentSenderIsDropped: an inbound stream whose sender sends nothing,
// not even keepalives, is closed by the receiver after IdleTimeout.
func TestSilentSenderIsDropped(t *testing.T) {
	checkGoroutines(t)
	b := startMember(t, 2, "", func(c *Config) { c.IdleTimeout = 200 * time.Millisecond })
	resp := openSilentStream(t, b.url, 1, 2)
	start := time.Now()
	n, _ := io.Copy(io.Discard, resp.Body) // the receiver's keepalives, then the end
	// The receiver's clock starts a little before ours, hence the slack.
	if waited := time.Since(start); waited < 100*time.Millisecond || waited > 5*time.Second {
		t.Fatalf("the receiver closed a silent stream after %v, want about IdleTimeout (200ms)", waited)
	}
	if n == 0 {
		t.Fatal("the receiver sent no keepalives")
	}
}
