package v2http

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics counts the client API's requests for /metrics.
type metrics struct {
	requests *prometheus.CounterVec
}

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

// instrument counts each request when it ends. The wrapped ResponseWriter
// still flushes, which watches need.
func (m *metrics) instrument(next http.Handler) http.Handler {
	return promhttp.InstrumentHandlerCounter(m.requests, next)
}

// metricsHandler serves the registry in the Prometheus text format (§3).
func metricsHandler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}
