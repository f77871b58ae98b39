package client

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Config says where the cluster is and how to talk to it.
type Config struct {
	// Endpoints are the client URLs to try, in order, e.g.
	// "http://127.0.0.1:2379". A path in an endpoint is kept as a prefix.
	Endpoints []string

	// Transport sends the requests. Nil means a transport built from TLS
	// with a 1-second dial timeout (etcdctl's: a dead endpoint must not eat
	// the whole total timeout before the next one is tried).
	Transport http.RoundTripper

	// TLS configures https endpoints when Transport is nil; see TLSConfig.
	TLS *tls.Config

	// Username and Password are sent as HTTP Basic credentials on every
	// request when Username is not empty (contract §4).
	Username string
	Password string

	// HeaderTimeout bounds each attempt on one endpoint, from sending the
	// request until the response headers arrive (etcdctl --timeout). When
	// it expires the next endpoint is tried. 0 means no bound.
	HeaderTimeout time.Duration

	// TotalTimeout bounds a whole call, all failover attempts and reading
	// the body included (etcdctl --total-timeout). Watches are exempt.
	// 0 means only the caller's context bounds the call.
	TotalTimeout time.Duration

	// OnRequest, when set, is called with every request just before it is
	// sent, once per endpoint tried, from the goroutine making the call
	// (so from several at once when the Client is shared). skiffctl
	// --debug prints "cURL Command: " + trace.Curl() from it.
	OnRequest func(RequestTrace)
}

// validate checks the config and returns the parsed endpoints.
func (cfg *Config) validate() ([]url.URL, error) {
	if cfg.HeaderTimeout < 0 {
		return nil, fmt.Errorf("client: HeaderTimeout %v is negative; use 0 for no timeout", cfg.HeaderTimeout)
	}
	if cfg.TotalTimeout < 0 {
		return nil, fmt.Errorf("client: TotalTimeout %v is negative; use 0 for no timeout", cfg.TotalTimeout)
	}
	if cfg.Username == "" && cfg.Password != "" {
		return nil, errors.New("client: a Password was given without a Username")
	}
	return parseEndpoints(cfg.Endpoints)
}

// parseEndpoints turns endpoint strings into URLs, refusing anything that is
// not an absolute http(s) URL. The *url.Error of a malformed endpoint is
// wrapped, so its text (what etcdctl prints) is still reachable.
func parseEndpoints(endpoints []string) ([]url.URL, error) {
	if len(endpoints) == 0 {
		return nil, ErrNoEndpoints
	}
	urls := make([]url.URL, 0, len(endpoints))
	for _, ep := range endpoints {
		u, err := url.Parse(ep)
		if err != nil {
			return nil, fmt.Errorf("client: bad endpoint: %w", err)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return nil, fmt.Errorf("client: endpoint %q must start with http:// or https://", ep)
		}
		if u.Host == "" {
			return nil, fmt.Errorf("client: endpoint %q has no host", ep)
		}
		if u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("client: endpoint %q must not have a query or fragment", ep)
		}
		urls = append(urls, *u)
	}
	return urls, nil
}
