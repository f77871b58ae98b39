package v2http

import (
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics counts the client API's requests for /metrics, by status code and
// method, under the labels promhttp.InstrumentHandlerCounter gives them: the
// method lower-cased if it is one of promhttp's ten and "unknown" otherwise,
// the code as a number ("200" when nothing was written) and "unknown" outside
// 100–599.
//
// It does promhttp's job without promhttp's cost per request (a wrapped
// writer built from closures, a label map, and a hash of the labels to find
// the counter): the writer is one small struct, and each (method, code) counter is
// looked up once and then read from an array. A counter is resolved on first
// use, never in advance, so /metrics shows the same series as before.
type metrics struct {
	requests *prometheus.CounterVec
	// counters[m][code-minCode] is the counter for knownMethods[m] (or
	// "unknown" at len(knownMethods)) and that code, once it has been used.
	counters [len(knownMethods) + 1][maxCode - minCode + 1]atomic.Pointer[counter]
}

type counter struct{ prometheus.Counter }

const minCode, maxCode = 100, 599

// knownMethods are the methods promhttp counts under their own name.
// lowerMethods are their labels, which promhttp also accepts as spellings.
var (
	knownMethods = [...]string{"GET", "PUT", "HEAD", "POST", "DELETE", "CONNECT", "OPTIONS", "NOTIFY", "TRACE", "PATCH"}
	lowerMethods = [...]string{"get", "put", "head", "post", "delete", "connect", "options", "notify", "trace", "patch"}
)

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{requests: prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "skiff",
		Subsystem: "http",
		Name:      "requests_total",
		Help:      "Client API requests by HTTP method and status code.",
	}, []string{"code", "method"})}
	if err := reg.Register(m.requests); err != nil {
		return nil, err
	}
	return m, nil
}

// serveStatus serves r with next and returns the status it sent, as
// promhttp's delegator sees it: the wrapped ResponseWriter still flushes
// (watches need it), and unwraps for http.ResponseController.
func serveStatus(next http.Handler, w http.ResponseWriter, r *http.Request) int {
	sw := &statusWriter{ResponseWriter: w}
	next.ServeHTTP(sw, r)
	return sw.status
}

// count adds one request to the counter of method and code.
func (m *metrics) count(method string, code int) {
	if code == 0 {
		code = http.StatusOK // nothing written: net/http sends 200
	}
	mi := methodIndex(method)
	if code < minCode || code > maxCode {
		m.requests.WithLabelValues("unknown", methodLabel(mi)).Inc()
		return
	}
	slot := &m.counters[mi][code-minCode]
	c := slot.Load()
	if c == nil {
		c = &counter{m.requests.WithLabelValues(strconv.Itoa(code), methodLabel(mi))}
		slot.Store(c) // a racing request stores the same child
	}
	c.Inc()
}

// methodIndex is method's index in knownMethods, in promhttp's upper- or
// lower-case spelling, or len(knownMethods) for any other method.
func methodIndex(method string) int {
	for i, k := range knownMethods {
		if method == k || method == lowerMethods[i] {
			return i
		}
	}
	return len(knownMethods)
}

func methodLabel(mi int) string {
	if mi == len(knownMethods) {
		return "unknown"
	}
	return lowerMethods[mi]
}

// statusWriter remembers the status a handler sent, as promhttp's delegator
// does: the code of the latest WriteHeader, and 200 for a Write or a flush
// before any.
type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.wroteHeader = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// FlushError is what http.ResponseController.Flush calls (watches): it
// flushes the connection's writer, or fails as it would without the wrapper
// when that writer cannot. There is deliberately no plain Flush method, which
// would hide that failure. A flush before any write sends 200: count shows it
// as "200" from the zero status, and a later Write must not send a second
// header.
func (w *statusWriter) FlushError() error {
	err := http.NewResponseController(w.ResponseWriter).Flush()
	if err == nil {
		w.wroteHeader = true
	}
	return err
}

// Unwrap lets http.ResponseController reach the connection's writer for
// everything else (deadlines, hijacking).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// metricsHandler serves the registry in the Prometheus text format (§3).
func metricsHandler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}
