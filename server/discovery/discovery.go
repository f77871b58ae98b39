package discovery

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"skiff/client"
	"skiff/server/membership"
)

// DefaultRequestTimeout bounds each read and write sent to the discovery
// service (not the watch, which waits as long as the other members take to
// start). It is etcd's client.DefaultRequestTimeout: a discovery service is
// a v2 cluster answering a small read, so 5 s means it is down or
// partitioned, and the request is retried after a backoff.
const DefaultRequestTimeout = 5 * time.Second

// Options tune a Discovery; the zero value gives etcd's behaviour.
type Options struct {
	// Logger receives etcd's progress lines ("found peer from discovery
	// server", "retry connecting to discovery service"); nil discards.
	Logger *slog.Logger
	// Proxy is --discovery-proxy: an HTTP proxy for every request to the
	// discovery service. As in etcd, the HTTP_PROXY variables are not
	// used: without Proxy the service is reached directly.
	Proxy string
	// TLS is used for an https discovery URL; nil trusts the system roots.
	TLS *tls.Config
	// Transport, when set, replaces the transport built from Proxy and TLS.
	Transport http.RoundTripper
	// Backoff is how long to wait before retry number n (1, 2, ...) after
	// the service could not be reached. nil means etcd's 2^n seconds, at
	// most 2^8 s. Tests shorten it.
	Backoff func(n int) time.Duration
	// RequestTimeout bounds each non-watch request; 0 means
	// DefaultRequestTimeout.
	RequestTimeout time.Duration
}

// Discovery is one member's use of a discovery token (contract §7.1): a v2
// keys directory where the members of a new cluster register and find each
// other. Build it with New, then call Join once.
type Discovery struct {
	url     string // the discovery URL as given, for messages
	base    string // scheme://host of the URL, for messages
	dir     string // the URL's path: the directory, addressed as-is
	c       *client.Client
	lg      *slog.Logger
	backoff func(int) time.Duration
	timeout time.Duration
	retries int // connection failures so far; the next backoff is backoff(retries+1)
}

// JoinCluster registers the member id (name, peerURLs) under discoveryURL,
// waits until the token's size members have registered, and returns their
// initial cluster in --initial-cluster form ("name=url,..."), as etcd's
// v2discovery.JoinCluster does (contract §7.1). proxyURL is
// --discovery-proxy ("" for none). The id must be derived with the
// discovery URL as the cluster token (contract §8; config.MemberID does).
func JoinCluster(ctx context.Context, logger *slog.Logger, discoveryURL, proxyURL string, id membership.ID, name string, peerURLs []string) (string, error) {
	d, err := New(discoveryURL, Options{Logger: logger, Proxy: proxyURL})
	if err != nil {
		return "", err
	}
	return d.Join(ctx, id, name, peerURLs)
}

// New checks the discovery URL and builds the client for it. Nothing is sent.
func New(discoveryURL string, opts Options) (*Discovery, error) {
	u, err := url.Parse(discoveryURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("discovery: URL %q is not an http:// or https:// URL; give the token's directory, as in http://host:2379/v2/keys/_etcd/registry/<token>", discoveryURL)
	}
	if strings.Trim(u.Path, "/") == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("discovery: URL %q does not name a token directory (a path, no query); give one, as in http://host:2379/v2/keys/_etcd/registry/<token>", discoveryURL)
	}
	tr := opts.Transport
	if tr == nil {
		if tr, err = newTransport(opts.Proxy, opts.TLS); err != nil {
			return nil, err
		}
	}
	c, err := client.New(client.Config{
		Endpoints: []string{u.Scheme + "://" + u.Host},
		Transport: pathAsIs{next: tr},
	})
	if err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	d := &Discovery{url: discoveryURL, base: u.Scheme + "://" + u.Host, dir: u.Path, c: c, lg: opts.Logger,
		backoff: opts.Backoff, timeout: opts.RequestTimeout}
	if d.lg == nil {
		d.lg = slog.New(slog.DiscardHandler)
	}
	if d.backoff == nil {
		d.backoff = etcdBackoff
	}
	if d.timeout <= 0 {
		d.timeout = DefaultRequestTimeout
	}
	return d, nil
}

// newTransport is the transport to the discovery service: the proxy given
// with --discovery-proxy, or none (etcd ignores HTTP_PROXY here too).
func newTransport(proxy string, tlsConfig *tls.Config) (*http.Transport, error) {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:     tlsConfig,
		TLSHandshakeTimeout: 10 * time.Second,
		IdleConnTimeout:     90 * time.Second,
	}
	if proxy != "" {
		pu, err := url.Parse(proxy)
		if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			return nil, fmt.Errorf("discovery: proxy %q is not an http:// or https:// URL; write --discovery-proxy as http://host:port", proxy)
		}
		tr.Proxy = http.ProxyURL(pu)
	}
	return tr, nil
}

// pathAsIs lets this package use skiff/client, which addresses every key
// under "/v2/keys", although the discovery protocol uses the discovery URL's
// path as-is (contract §7.1): a self-hosted token is
// /v2/keys/_etcd/registry/<token>, but discovery.etcd.io serves /<token>.
// The key given to the client is the URL's path, and pathAsIs takes off the
// "/v2/keys" the client put in front of it, so each request goes to exactly
// the path of the discovery URL (plus /_config/size or /<id>).
type pathAsIs struct{ next http.RoundTripper }

// RoundTrip sends a copy of r with the client's /v2/keys prefix removed.
func (p pathAsIs) RoundTrip(r *http.Request) (*http.Response, error) {
	r2 := r.Clone(r.Context())
	r2.URL.Path = strings.TrimPrefix(r.URL.Path, "/v2/keys")
	r2.URL.RawPath = ""
	return p.next.RoundTrip(r2)
}
