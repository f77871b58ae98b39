package client

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Client talks to a v2 cluster through a list of endpoints. It sticks to
// the endpoint that last answered and moves on to the next one when that
// one cannot be reached (see do in failover.go). A Client is safe for
// concurrent use.
type Client struct {
	cfg       Config
	transport http.RoundTripper
	// ownTransport is true when New built transport and Close may shut it.
	ownTransport bool

	mu        sync.Mutex
	endpoints []url.URL // guarded by mu
	pinned    int       // index in endpoints of the last endpoint that answered; guarded by mu
}

// New checks cfg and returns a client for it. It sends nothing; call Sync
// to replace the endpoints with the cluster's member list as etcdctl does.
func New(cfg Config) (*Client, error) {
	eps, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, endpoints: eps, transport: cfg.Transport}
	if c.transport == nil {
		c.transport = newTransport(cfg)
		c.ownTransport = true
	}
	return c, nil
}

// newTransport is the default transport: proxies from the environment,
// etcdctl's 1 s dial timeout, and the configured TLS.
func newTransport(cfg Config) *http.Transport {
	return &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:     cfg.TLS,
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     90 * time.Second,
	}
}

// Close releases idle connections. Watches in progress are not affected;
// cancel their contexts to end them.
func (c *Client) Close() {
	if t, ok := c.transport.(interface{ CloseIdleConnections() }); ok && c.ownTransport {
		t.CloseIdleConnections()
	}
}

// Endpoints returns the endpoints the client tries, in order.
func (c *Client) Endpoints() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, len(c.endpoints))
	for i, u := range c.endpoints {
		out[i] = u.String()
	}
	return out
}

// SetEndpoints replaces the endpoints; the first one becomes the pinned one.
func (c *Client) SetEndpoints(endpoints []string) error {
	eps, err := parseEndpoints(endpoints)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.endpoints, c.pinned = eps, 0
	return nil
}

// Pinned returns the endpoint that answered last (or will be tried first).
func (c *Client) Pinned() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.endpoints[c.pinned].String()
}

// Sync asks the cluster for its members (GET /v2/members) and from then on
// uses their client URLs as the endpoints, as etcdctl does unless --no-sync
// is given. Members that have not started publish no client URLs and are
// skipped; if none has any, Sync fails with ErrNoEndpoints and keeps the
// old endpoints.
func (c *Client) Sync(ctx context.Context) error {
	members, err := c.Members(ctx)
	if err != nil {
		return err
	}
	var eps []string
	seen := make(map[string]bool)
	for _, m := range members {
		for _, u := range m.ClientURLs {
			if u = strings.TrimSpace(u); u != "" && !seen[u] {
				seen[u] = true
				eps = append(eps, u)
			}
		}
	}
	if len(eps) == 0 {
		return ErrNoEndpoints
	}
	return c.SetEndpoints(eps)
}

// withTotalTimeout bounds ctx by the configured total timeout.
func (c *Client) withTotalTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.cfg.TotalTimeout > 0 {
		return context.WithTimeout(ctx, c.cfg.TotalTimeout)
	}
	return context.WithCancel(ctx)
}
