package v2http

import (
	"errors"
	"expvar"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Defaults, each with its reason.
const (
	// DefaultRequestTimeout bounds a write or a quorum read: etcd's 5 s plus
	// two election timeouts of 1 s (§1.11), so a client sees the same patience.
	DefaultRequestTimeout = 7 * time.Second
	// DefaultHealthTimeout bounds the quorum read behind /health. It is short
	// because a health probe must answer quickly; 1 s is several round trips
	// on any network a cluster can live on.
	DefaultHealthTimeout = time.Second
)

// Config is what New needs to build the client API.
type Config struct {
	// Server is the member (required).
	Server Server
	// Logger receives one line per failed request that is the server's fault
	// (a 5xx); nil discards.
	Logger *slog.Logger
	// CORS lists the origins allowed to call the API from a browser (--cors).
	// Empty means "*", etcd's default (§1.5).
	CORS []string
	// Registry is where /metrics gathers from. The handler registers its HTTP
	// counters on it; the server registers its raft and WAL metrics on the same
	// one. nil makes a private registry.
	Registry *prometheus.Registry
	// EnablePprof serves /debug/pprof/ (--enable-pprof); off it is 404 (§3).
	EnablePprof bool
	// Authorizer is the v2 auth hook; nil means auth is off (§4).
	Authorizer Authorizer
	// AuthHandler serves /v2/auth and everything under it; nil answers 404.
	AuthHandler http.Handler
	// RequestTimeout bounds writes and quorum reads; 0 means
	// DefaultRequestTimeout.
	RequestTimeout time.Duration
	// HealthTimeout bounds /health's quorum read; 0 means DefaultHealthTimeout.
	HealthTimeout time.Duration
	// Done, when closed, ends every watch in progress, so that the member's
	// http.Server.Shutdown is not held up by long polls and streams. nil
	// means watches end only when their clients go or the store ends them.
	Done <-chan struct{}
	// Now is the clock for local reads (the remaining ttl shown) and ttl
	// checks; nil means time.Now.
	Now func() time.Time
}

func (c *Config) validate() error {
	if c.Server == nil {
		return errors.New("v2http: Config.Server is required")
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Registry == nil {
		c.Registry = prometheus.NewRegistry()
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.HealthTimeout <= 0 {
		c.HealthTimeout = DefaultHealthTimeout
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

// New returns the client API's handler: every endpoint of contract §1 and §3
// on one mux, wrapped in the CORS headers (§1.5) and the request counters of
// /metrics. It fails only on a bad Config, or when the metrics cannot be
// registered (a second New on the same Registry).
func New(cfg Config) (http.Handler, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	m, err := newMetrics(cfg.Registry)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	a := &api{cfg: cfg, timeouts: timeouts{timeout: cfg.RequestTimeout}}
	a.routes(mux)
	return &front{metrics: m, cors: newCORS(cfg.CORS), api: a, mux: mux}, nil
}

// front is what every request goes through, in one layer: the CORS headers
// and OPTIONS (cors.go), the 301 for an unclean path (cleanpath.go), the
// endpoint, and the request counters (metrics.go). A keys request goes to
// serveKeys directly, which returns its status: the mux would choose it
// anyway, after matching the path segment by segment at three allocations
// per request, and the counters would need the writer wrapped to see the
// status. Every other endpoint goes through the mux and the wrapper.
type front struct {
	metrics *metrics
	cors    cors
	api     *api
	mux     *http.ServeMux
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.metrics.count(r.Method, f.serve(w, r))
}

// serve serves r and returns the status sent (0 when nothing was written:
// net/http then sends 200).
func (f *front) serve(w http.ResponseWriter, r *http.Request) int {
	if f.cors.handle(w, r) {
		return http.StatusOK
	}
	if redirectUnclean(w, r) {
		return http.StatusMovedPermanently
	}
	if isKeysPath(r) {
		return f.api.serveKeys(w, r)
	}
	return serveStatus(f.mux, w, r)
}

// isKeysPath reports whether the mux would route r, whose path is clean, to
// serveKeys: a path of /v2/keys or below, unless the mux reads it
// differently. It matches on the escaped path, so an escaped slash (RawPath
// is then set) is not a separator to it; and it does not clean a CONNECT's
// path. Those go to the mux.
func isKeysPath(r *http.Request) bool {
	if r.URL.RawPath != "" || r.Method == http.MethodConnect {
		return false
	}
	p := r.URL.Path
	return strings.HasPrefix(p, keysPrefix) && (len(p) == len(keysPrefix) || p[len(keysPrefix)] == '/')
}

// api holds the validated Config; every endpoint is one of its methods.
type api struct {
	cfg       Config
	clusterID atomic.Pointer[clusterIDValue] // see clusterIDHeader
	timeouts  timeouts                       // the contexts of writes and quorum reads
}

// routes mounts every endpoint. Anything not listed is the mux's plain
// "404 page not found" (§3); unclean paths get the mux's 301 (§1.1).
func (a *api) routes(mux *http.ServeMux) {
	// front sends most keys requests to serveKeys itself (isKeysPath); the
	// mux gets those the shortcut leaves to it.
	keys := func(w http.ResponseWriter, r *http.Request) { a.serveKeys(w, r) }
	mux.HandleFunc("/v2/keys", keys)
	mux.HandleFunc("/v2/keys/", keys)
	mux.HandleFunc("/v2/members", a.serveMembers)
	mux.HandleFunc("/v2/members/", a.serveMembers)
	mux.HandleFunc("/v2/machines", a.serveMachines)
	mux.HandleFunc("/v2/stats/self", a.serveSelfStats)
	mux.HandleFunc("/v2/stats/leader", a.serveLeaderStats)
	mux.HandleFunc("/v2/stats/store", a.serveStoreStats)
	mux.HandleFunc("/version", serveVersion)
	mux.HandleFunc("/health", a.serveHealth)
	mux.Handle("/metrics", metricsHandler(a.cfg.Registry))
	mux.Handle("/debug/vars", expvar.Handler())
	if a.cfg.AuthHandler != nil {
		mux.Handle("/v2/auth", a.cfg.AuthHandler)
		mux.Handle("/v2/auth/", a.cfg.AuthHandler)
	}
	if a.cfg.EnablePprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
}
