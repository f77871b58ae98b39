package v2http

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// TestRequestCountsMatchPromhttp: the request counter labels every request as
// promhttp.InstrumentHandlerCounter did before it replaced it (methods in
// either case or unknown, codes written, implied, flushed or out of range),
// and creates no series in advance: both registries print the same text.
func TestRequestCountsMatchPromhttp(t *testing.T) {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("do") {
		case "write":
			_, _ = w.Write([]byte("x"))
		case "flush":
			_ = http.NewResponseController(w).Flush()
			_, _ = w.Write([]byte("x"))
		case "twice":
			w.WriteHeader(http.StatusContinue)
			w.WriteHeader(http.StatusAccepted)
		case "nothing":
		default:
			code, _ := strconv.Atoi(r.URL.Query().Get("code"))
			w.WriteHeader(code)
		}
	})
	regA, regB := prometheus.NewRegistry(), prometheus.NewRegistry()
	m, err := newMetrics(regA)
	if err != nil {
		t.Fatal(err)
	}
	mine := m.instrument(inner)
	ref, _ := newMetricsVec(regB)
	theirs := promhttp.InstrumentHandlerCounter(ref, inner)
	for _, method := range []string{"GET", "get", "Get", "PUT", "put", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS", "FOO", "connect"} {
		for _, q := range []string{"do=write", "do=flush", "do=twice", "do=nothing", "code=200", "code=201", "code=404",
			"code=307", "code=500", "code=599", "code=600", "code=999", "code=418"} {
			for range 2 {
				mine.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(method, "/x?"+q, nil))
				theirs.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(method, "/x?"+q, nil))
			}
		}
	}
	a, b := gatherText(t, regA), gatherText(t, regB)
	if !strings.Contains(b, `skiff_http_requests_total{code="unknown",method="unknown"} 8`) {
		t.Fatalf("the reference counted something else than expected:\n%s", b)
	}
	if a != b {
		t.Fatalf("counts differ from promhttp's:\nmine:\n%s\npromhttp:\n%s", a, b)
	}
}

func newMetricsVec(reg prometheus.Registerer) (*prometheus.CounterVec, error) {
	m, err := newMetrics(reg)
	if err != nil {
		return nil, err
	}
	return m.requests, nil
}

// gatherText is what /metrics would show for g.
func gatherText(t *testing.T, g prometheus.Gatherer) string {
	t.Helper()
	rec := httptest.NewRecorder()
	metricsHandler(g).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}
