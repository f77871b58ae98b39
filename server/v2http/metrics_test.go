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
	mine := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.count(r.Method, serveStatus(inner, w, r))
	})
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

// TestKeysCountsMatchPromhttp: keys requests, which front counts from the
// status serveKeys returns instead of through a wrapped writer, get the
// counts promhttp gives them, whatever the outcome.
func TestKeysCountsMatchPromhttp(t *testing.T) {
	regA, regB := prometheus.NewRegistry(), prometheus.NewRegistry()
	mine, err := New(Config{Server: newFakeServer(), Registry: regA})
	if err != nil {
		t.Fatal(err)
	}
	other, err := New(Config{Server: newFakeServer(), Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := newMetricsVec(regB)
	theirs := promhttp.InstrumentHandlerCounter(ref, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other.(*front).serve(w, r)
	}))
	for _, c := range []struct{ method, target, body string }{
		{"PUT", "/v2/keys/a", "value=1"}, {"PUT", "/v2/keys/a", "value=2"}, {"GET", "/v2/keys/a", ""},
		{"GET", "/v2/keys/a?quorum=true", ""}, {"GET", "/v2/keys/nope", ""}, {"HEAD", "/v2/keys/a", ""},
		{"PATCH", "/v2/keys/a", ""}, {"GET", "/v2/keys/a?recursive=maybe", ""}, {"POST", "/v2/keys/q", "value=x"},
		{"GET", "/v2/keys/a?wait=true&waitIndex=1", ""}, {"PUT", "/v2/keys/d?dir=true", ""},
		{"PUT", "/v2/keys/d", "value=x"}, {"DELETE", "/v2/keys/a", ""}, {"OPTIONS", "/v2/keys/a", ""},
		{"GET", "/v2/keys//a", ""}, {"GET", "/v2/keys%2Fa", ""}, {"GET", "/v2/keys", ""}, {"GET", "/v2/members", ""},
		{"get", "/v2/keys/a", ""}, {"FOO", "/v2/keys/a", ""},
	} {
		for _, h := range []http.Handler{mine, theirs} {
			r := httptest.NewRequest(c.method, c.target, strings.NewReader(c.body))
			if c.body != "" {
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
		}
	}
	a, b := gatherText(t, regA), gatherText(t, regB)
	for _, code := range []string{"200", "201", "301", "400", "403", "404", "405"} {
		if !strings.Contains(b, `code="`+code+`"`) {
			t.Fatalf("the reference saw no %s:\n%s", code, b)
		}
	}
	if a != b {
		t.Fatalf("counts differ from promhttp's:\nmine:\n%s\npromhttp:\n%s", a, b)
	}
}
