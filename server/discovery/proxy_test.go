package discovery

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// forwardProxy is an HTTP forward proxy that records the URLs it was asked
// for.
type forwardProxy struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func startForwardProxy(t *testing.T) *forwardProxy {
	p := &forwardProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Host == "" {
			http.Error(w, "not a proxy request", http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		p.seen = append(p.seen, r.Method+" "+r.URL.String())
		p.mu.Unlock()
		out := r.Clone(r.Context())
		out.RequestURI = ""
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(p.Close)
	return p
}

// --discovery-proxy: every request to the discovery service goes through
// the proxy, the URL path as-is.
func TestJoinClusterGoesThroughTheDiscoveryProxy(t *testing.T) {
	ks := startKeyService(t)
	durl := ks.newToken(t, "proxied", "1")
	proxy := startForwardProxy(t)
	m := members(1)[0]
	got, err := JoinCluster(joinCtx(t), testLogger(t), durl, proxy.URL, m.id(durl), m.name, []string{m.peer})
	if err != nil || got != m.value() {
		t.Fatalf("JoinCluster = %q, %v; want %q", got, err, m.value())
	}
	proxy.mu.Lock()
	defer proxy.mu.Unlock()
	want := "GET " + durl + "/_config/size"
	if len(proxy.seen) == 0 || !strings.HasPrefix(proxy.seen[0], want) {
		t.Errorf("the proxy saw %q; want it to begin with %q", proxy.seen, want)
	}
}

// A discovery or proxy URL that is not http(s) is refused up front, with
// the form to use.
func TestNewRefusesBadURLs(t *testing.T) {
	for _, c := range []struct{ durl, proxy, want string }{
		{"127.0.0.1:2379/v2/keys/tok", "", "is not an http:// or https:// URL"},
		{"http://127.0.0.1:2379", "", "does not name a token directory"},
		{"http://127.0.0.1:2379/v2/keys/tok?x=1", "", "does not name a token directory"},
		{"http://127.0.0.1:2379/v2/keys/tok", "socks5://proxy:1080", "--discovery-proxy"},
	} {
		_, err := New(c.durl, Options{Proxy: c.proxy})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%q, proxy %q): err = %v, want one saying %q", c.durl, c.proxy, err, c.want)
		}
	}
}

// Contract §7.1: the URL's path is used as-is, so a service that keeps
// tokens outside /v2/keys (discovery.etcd.io serves /<token>) works too.
func TestJoinUsesTheDiscoveryURLPathAsIs(t *testing.T) {
	ks := startKeyService(t)
	ks.newToken(t, "public", "1")
	backend, _ := url.Parse(ks.URL)
	rp := httputil.NewSingleHostReverseProxy(backend)
	inner := rp.Director
	rp.Director = func(r *http.Request) {
		inner(r)
		r.URL.Path = "/v2/keys/_etcd/registry" + r.URL.Path
	}
	public := httptest.NewServer(rp)
	t.Cleanup(public.Close)

	durl := public.URL + "/public"
	m := members(1)[0]
	got, err := join(joinCtx(t), t, durl, m)
	if err != nil || got != m.value() {
		t.Fatalf("Join = %q, %v; want %q", got, err, m.value())
	}
	if v := ks.get("/_etcd/registry/public/" + m.id(durl).String()); v != m.value() {
		t.Errorf("registration = %q, want %q", v, m.value())
	}
}
