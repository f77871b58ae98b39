package transport

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// newClient builds the one HTTP client the transport uses for streams and
// snapshots. Every connection it opens has a write deadline per write, so
// a peer that stops reading fails the stream instead of hanging it.
//
// HTTP/2 stays off: each stream gets its own TCP connection, so a large
// snapshot cannot hold up heartbeats behind HTTP/2 flow control.
func newClient(cfg Config) *http.Client {
	dial := dialer(cfg)
	rt := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dial(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &deadlineConn{Conn: c, timeout: cfg.WriteTimeout}, nil
		},
		TLSClientConfig:     cfg.TLS,
		TLSHandshakeTimeout: cfg.DialTimeout,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     time.Minute,
		ForceAttemptHTTP2:   false,
	}
	return &http.Client{Transport: rt}
}

// dialer returns Config.Dial, or a net.Dialer with DialTimeout.
func dialer(cfg Config) func(ctx context.Context, network, addr string) (net.Conn, error) {
	if cfg.Dial != nil {
		return cfg.Dial
	}
	d := &net.Dialer{Timeout: cfg.DialTimeout, KeepAlive: 30 * time.Second}
	return d.DialContext
}

// deadlineConn gives every write a deadline of at least 3/4 of timeout.
// Moving the deadline costs more than the clock read, so it moves only when
// less than that is left: a stream writing thousands of batches a second
// moves it a few times a second.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
	until   atomic.Int64 // the write deadline set last, in Unix nanoseconds
}

func (c *deadlineConn) Write(b []byte) (int, error) {
	now := time.Now()
	if time.Duration(c.until.Load()-now.UnixNano()) < c.timeout*3/4 {
		until := now.Add(c.timeout)
		if err := c.Conn.SetWriteDeadline(until); err != nil {
			return 0, err
		}
		c.until.Store(until.UnixNano())
	}
	return c.Conn.Write(b)
}

// SetWriteDeadline and SetDeadline set the deadline for the next write too.
func (c *deadlineConn) SetWriteDeadline(t time.Time) error {
	c.until.Store(t.UnixNano())
	return c.Conn.SetWriteDeadline(t)
}

func (c *deadlineConn) SetDeadline(t time.Time) error {
	c.until.Store(t.UnixNano())
	return c.Conn.SetDeadline(t)
}
