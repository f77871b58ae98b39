package transport

import (
	"context"
	"net"
	"net/http"
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

// deadlineConn sets a fresh write deadline before every write.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
}

func (c *deadlineConn) Write(b []byte) (int, error) {
	if err := c.Conn.SetWriteDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Write(b)
}
