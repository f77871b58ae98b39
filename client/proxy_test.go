package client

import (
	"io"
	"net"
	"sync"
	"testing"
)

// dropProxy forwards TCP connections to a backend and can cut them all at
// once, to show what a client does when the network drops a connection.
type dropProxy struct {
	l       net.Listener
	backend string
	mu      sync.Mutex
	conns   []net.Conn
	wg      sync.WaitGroup
}

// newDropProxy listens on a free port; it is closed when the test ends.
func newDropProxy(t *testing.T, backend string) *dropProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &dropProxy{l: l, backend: backend}
	p.wg.Go(p.accept)
	t.Cleanup(func() {
		l.Close()
		p.dropAll()
		p.wg.Wait()
	})
	return p
}

// URL is the proxy's address as an endpoint.
func (p *dropProxy) URL() string { return "http://" + p.l.Addr().String() }

func (p *dropProxy) accept() {
	for {
		in, err := p.l.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", p.backend)
		if err != nil {
			in.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, in, out)
		p.mu.Unlock()
		p.wg.Go(func() { io.Copy(out, in); out.Close() })
		p.wg.Go(func() { io.Copy(in, out); in.Close() })
	}
}

// dropAll closes every connection made so far, in both directions.
func (p *dropProxy) dropAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}
