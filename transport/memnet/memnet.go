// Package memnet is an in-memory network for tests: listeners and a dialer
// joined by net.Pipe, addressed by "host:port" strings, with no sockets.
// Give Network.Dial to transport.Config.Dial and serve the transport's
// Handler on a Network.Listen listener, and a whole cluster runs in memory.
package memnet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
)

// ErrRefused is returned (wrapped) by Dial when nothing listens on the
// address, as a real network refuses a connection.
var ErrRefused = errors.New("memnet: connection refused")

// Network is a set of in-memory listeners. The zero value is not usable;
// call New.
type Network struct {
	mu        sync.Mutex
	listeners map[string]*listener
}

// New returns an empty network.
func New() *Network {
	return &Network{listeners: make(map[string]*listener)}
}

// Listen starts listening on addr, which must not be in use.
func (n *Network) Listen(addr string) (net.Listener, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.listeners[addr]; ok {
		return nil, fmt.Errorf("memnet: listen %s: address already in use", addr)
	}
	l := &listener{net: n, addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
	n.listeners[addr] = l
	return l, nil
}

// Dial connects to the listener on addr. The network argument is ignored,
// so the method fits http.Transport.DialContext and transport.Config.Dial.
func (n *Network) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	n.mu.Lock()
	l := n.listeners[addr]
	n.mu.Unlock()
	if l == nil {
		return nil, fmt.Errorf("%w: dial %s", ErrRefused, addr)
	}
	client, server := net.Pipe()
	select {
	case l.conns <- &conn{Conn: server, local: Addr(addr), remote: Addr("client")}:
		return &conn{Conn: client, local: Addr("client"), remote: Addr(addr)}, nil
	case <-l.done:
		return nil, fmt.Errorf("%w: dial %s", ErrRefused, addr)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type listener struct {
	net   *Network
	addr  string
	conns chan net.Conn
	once  sync.Once
	done  chan struct{}
}

func (l *listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops accepting; connections already made stay open, as with TCP.
func (l *listener) Close() error {
	l.once.Do(func() {
		close(l.done)
		l.net.mu.Lock()
		delete(l.net.listeners, l.addr)
		l.net.mu.Unlock()
	})
	return nil
}

func (l *listener) Addr() net.Addr { return Addr(l.addr) }

// conn is one end of a pipe, with the addresses of the dialled listener.
type conn struct {
	net.Conn
	local, remote Addr
}

func (c *conn) LocalAddr() net.Addr  { return c.local }
func (c *conn) RemoteAddr() net.Addr { return c.remote }

// Addr is an address on a Network.
type Addr string

// Network returns "memnet".
func (a Addr) Network() string { return "memnet" }
func (a Addr) String() string  { return string(a) }
