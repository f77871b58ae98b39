package ctl

import (
	"context"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// endpointsSeen runs a --no-sync --debug get against unreachable endpoints
// and returns the endpoints skiffctl chose, from its Cluster-Endpoints line.
func endpointsSeen(t *testing.T, args ...string) string {
	t.Helper()
	res := runCtl(t, append(append([]string{"--no-sync", "--debug", "--timeout", "200ms"}, args...), "get", "/a")...)
	for _, line := range strings.Split(res.stderr, "\n") {
		if s, ok := strings.CutPrefix(line, "Cluster-Endpoints: "); ok {
			return s
		}
	}
	t.Fatalf("no Cluster-Endpoints line in %q", res.stderr)
	return ""
}

// TestEndpointLookupOrder: --endpoints, SKIFFCTL_ENDPOINTS, --endpoint,
// SKIFFCTL_ENDPOINT, --peers, SKIFFCTL_PEERS, then the default, as
// etcdctl's order with SKIFFCTL_ for ETCDCTL_ (contract §5.1).
func TestEndpointLookupOrder(t *testing.T) {
	if got := endpointsSeen(t); got != "http://127.0.0.1:2379, http://127.0.0.1:4001" {
		t.Errorf("default: %q", got)
	}
	t.Setenv("SKIFFCTL_PEERS", "http://127.0.0.1:6")
	if got := endpointsSeen(t); got != "http://127.0.0.1:6" {
		t.Errorf("SKIFFCTL_PEERS: %q", got)
	}
	if got := endpointsSeen(t, "-C", "http://127.0.0.1:5"); got != "http://127.0.0.1:5" {
		t.Errorf("--peers beats SKIFFCTL_PEERS: %q", got)
	}
	t.Setenv("SKIFFCTL_ENDPOINT", "http://127.0.0.1:4")
	if got := endpointsSeen(t, "-C", "http://127.0.0.1:5"); got != "http://127.0.0.1:4" {
		t.Errorf("SKIFFCTL_ENDPOINT beats --peers: %q", got)
	}
	if got := endpointsSeen(t, "--endpoint", "http://127.0.0.1:3"); got != "http://127.0.0.1:3" {
		t.Errorf("--endpoint beats SKIFFCTL_ENDPOINT: %q", got)
	}
	t.Setenv("SKIFFCTL_ENDPOINTS", "http://127.0.0.1:2,http://127.0.0.1:22")
	if got := endpointsSeen(t, "--endpoint", "http://127.0.0.1:3"); got != "http://127.0.0.1:2, http://127.0.0.1:22" {
		t.Errorf("SKIFFCTL_ENDPOINTS beats --endpoint: %q", got)
	}
	if got := endpointsSeen(t, "--endpoints", "http://127.0.0.1:1"); got != "http://127.0.0.1:1" {
		t.Errorf("--endpoints beats everything: %q", got)
	}
}

// TestOtherGlobalFlagsReadTheirVariables: SKIFFCTL_OUTPUT and friends.
func TestOtherGlobalFlagsReadTheirVariables(t *testing.T) {
	srv := fakeV2(t)
	t.Setenv("SKIFFCTL_OUTPUT", "extended")
	t.Setenv("SKIFFCTL_NO_SYNC", "true")
	res := runCtl(t, "--endpoints", srv.URL, "get", "/a")
	if res.stdout != "Key: /a\nCreated-Index: 7\nModified-Index: 7\nTTL: 0\nIndex: 9\n\nv\n" || res.code != 0 {
		t.Errorf("SKIFFCTL_OUTPUT=extended: %+v", res)
	}
	if res := runCtl(t, "--endpoints", srv.URL, "-o", "simple", "get", "/a"); res.stdout != "v\n" {
		t.Errorf("-o beats SKIFFCTL_OUTPUT: %+v", res)
	}
}

// TestExitCodes: contract §5.4's table, for the cases needing no real
// server.
func TestExitCodes(t *testing.T) {
	srv := fakeV2(t)
	refused := "Error:  client: etcd cluster is unavailable or misconfigured; error #0: dial tcp 127.0.0.1:1: connect: connection refused\n\nerror #0: dial tcp 127.0.0.1:1: connect: connection refused\n\n"
	cases := []struct {
		args           string
		code           int
		stdout, stderr string
	}{
		{"--endpoints http://127.0.0.1:1 get /a", ExitBadConnection, "", refused},
		{"--no-sync --endpoints http://127.0.0.1:1 get /a", ExitServerError, "", refused},
		{"--endpoints 127.0.0.1:1 get /a", ExitBadArgs, "", "parse \"127.0.0.1:1\": first path segment in URL cannot contain colon\n"},
		{"--endpoints " + srv.URL + " bogus", ExitBadAuth, "", "No help topic for 'bogus'\n"},
		{"--endpoints " + srv.URL + " -o xml get /a", ExitSuccess, "", "Unsupported output format: xml\n"},
		{"--endpoints " + srv.URL + " get /missing", ExitServerError, "", "Error:  100: Key not found (/missing) [9]\n"},
		{"--endpoints " + srv.URL + " get", ExitBadArgs, "", "Error:  key required\n"},
		{"--endpoints " + srv.URL + " set /a", ExitBadArgs, "", "Error:  value required\n"},
		{"--version", ExitSuccess, "skiffctl version: " + Version + "\nAPI version: 2\n", ""},
	}
	for _, c := range cases {
		res := runCtl(t, strings.Fields(c.args)...)
		if res.code != c.code || res.stdout != c.stdout || res.stderr != c.stderr {
			t.Errorf("%s:\n got exit %d %q %q\nwant exit %d %q %q", c.args, res.code, res.stdout, res.stderr, c.code, c.stdout, c.stderr)
		}
	}
}

// TestValueFromStdin: set takes its value from stdin when the argument is
// missing (echo -n v | skiffctl set k).
func TestValueFromStdin(t *testing.T) {
	srv := fakeV2(t)
	res := runCtlStdin(t, "from stdin", "--endpoints", srv.URL, "set", "/a")
	if res.code != 0 || res.stdout != "from stdin\n" {
		t.Errorf("%+v", res)
	}
}

// TestMemberListShowsUnstartedMembers: a member with no name yet is shown
// as "<id>[unstarted]: peerURLs=..." (contract §5.5).
func TestMemberListShowsUnstartedMembers(t *testing.T) {
	srv := fakeV2(t)
	res := runCtl(t, "--endpoints", srv.URL, "member", "list")
	want := "8e9e05c52164694d: name=n1 peerURLs=http://127.0.0.1:2380 clientURLs=" + srv.URL + " isLeader=true\n" +
		"cf34a71f34619197[unstarted]: peerURLs=http://127.0.0.1:43380\n"
	if res.stdout != want || res.code != 0 {
		t.Errorf("got %+v\nwant %q", res, want)
	}
	health := runCtl(t, "--endpoints", srv.URL, "cluster-health")
	wantHealth := "member 8e9e05c52164694d is healthy: got healthy result from " + srv.URL + "\n" +
		"member cf34a71f34619197 is unreachable: no available published client urls\ncluster is degraded\n"
	if health.stdout != wantHealth || health.code != ExitClusterNotHealthy {
		t.Errorf("cluster-health: %+v\nwant %q", health, wantHealth)
	}
}

// TestDiscoverySRV: -D finds endpoints in SRV records, drops http ones
// unless --insecure-discovery, and the SRV name suffix applies to both.
func TestDiscoverySRV(t *testing.T) {
	defer func() { srvResolver = nil }()
	var asked []string
	srvResolver = fakeSRV(func(name string) ([]*net.SRV, error) {
		asked = append(asked, name)
		if strings.HasPrefix(name, "_etcd-client-ssl") {
			return []*net.SRV{{Target: "a.example.com.", Port: 2379}}, nil
		}
		return []*net.SRV{{Target: "b.example.com.", Port: 2379}}, nil
	})
	t.Setenv("SKIFFCTL_DISCOVERY_SRV_NAME", "x")
	res := runCtl(t, "-D", "example.com", "--no-sync", "--debug", "--timeout", "100ms", "--total-timeout", "300ms", "get", "/a")
	if !strings.Contains(res.stderr, "ignoring discovered insecure endpoint \"http://b.example.com:2379\"\n") ||
		!strings.Contains(res.stderr, "Cluster-Endpoints: https://a.example.com:2379\n") {
		t.Errorf("secure discovery: %q", res.stderr)
	}
	want := "_etcd-client-ssl-x._tcp.example.com _etcd-client-x._tcp.example.com"
	if strings.Join(asked[:2], " ") != want {
		t.Errorf("looked up %q, want %q", asked, want)
	}
	res = runCtl(t, "-D", "example.com", "--insecure-discovery", "--no-sync", "--debug", "--timeout", "100ms", "--total-timeout", "300ms", "get", "/a")
	if !strings.Contains(res.stderr, "Cluster-Endpoints: https://a.example.com:2379, http://b.example.com:2379\n") {
		t.Errorf("insecure discovery: %q", res.stderr)
	}
	srvResolver = fakeSRV(func(string) ([]*net.SRV, error) { return nil, errors.New("no such host") })
	res = runCtl(t, "-D", "example.com", "get", "/a")
	if res.code != ExitBadArgs || res.stderr != "dns lookup errors: no such host and no such host\n" {
		t.Errorf("failed discovery: %+v", res)
	}
}

// fakeSRV is a discovery.Resolver answering SRV queries, by full name, from
// a function; address lookups are not part of --discovery-srv.
type fakeSRV func(name string) ([]*net.SRV, error)

func (f fakeSRV) LookupSRV(_ context.Context, _, _, name string) (string, []*net.SRV, error) {
	addrs, err := f(name)
	return "", addrs, err
}

func (f fakeSRV) LookupIPAddr(context.Context, string) ([]net.IPAddr, error) {
	return nil, errors.New("fakeSRV: no address lookups")
}

// TestCAFile: --ca-file (or SKIFFCTL_CA_FILE) makes an https endpoint with
// a private CA trusted; without it the certificate is refused.
func TestCAFile(t *testing.T) {
	srv := httptest.NewUnstartedServer(fakeV2(t).Config.Handler)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	if res := runCtl(t, "--no-sync", "--endpoints", srv.URL, "--ca-file", ca, "get", "/a"); res.stdout != "v\n" || res.code != 0 {
		t.Errorf("with --ca-file: %+v", res)
	}
	t.Setenv("SKIFFCTL_CA_FILE", ca)
	if res := runCtl(t, "--no-sync", "--endpoints", srv.URL, "get", "/a"); res.stdout != "v\n" || res.code != 0 {
		t.Errorf("with SKIFFCTL_CA_FILE: %+v", res)
	}
	t.Setenv("SKIFFCTL_CA_FILE", "")
	res := runCtl(t, "--no-sync", "--endpoints", srv.URL, "get", "/a")
	if res.code != ExitServerError || !strings.Contains(res.stderr, "certificate") {
		t.Errorf("without the CA: %+v", res)
	}
	res = runCtl(t, "--no-sync", "--endpoints", srv.URL, "--ca-file", filepath.Join(t.TempDir(), "missing.pem"), "get", "/a")
	if res.code != ExitBadArgs || !strings.Contains(res.stderr, "missing.pem") {
		t.Errorf("a missing CA file: %+v", res)
	}
}

// fakeV2 is a tiny server speaking just enough of the v2 API (contract §1,
// §3) for the tests that need no real etcd: one key /a, two members (one
// not started), a leader and /health.
func fakeV2(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("/v2/members", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"members":[{"id":"8e9e05c52164694d","name":"n1","peerURLs":["http://127.0.0.1:2380"],"clientURLs":["` + srv.URL + `"]},` +
			`{"id":"cf34a71f34619197","name":"","peerURLs":["http://127.0.0.1:43380"],"clientURLs":[]}]}`))
	})
	mux.HandleFunc("/v2/members/leader", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"id":"8e9e05c52164694d","name":"n1","peerURLs":["http://127.0.0.1:2380"],"clientURLs":["` + srv.URL + `"]}`))
	})
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"health":"true"}`)) })
	mux.HandleFunc("/v2/keys/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Etcd-Index", "9")
		if r.URL.Path != "/v2/keys/a" {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"errorCode":100,"message":"Key not found","cause":"` + strings.TrimPrefix(r.URL.Path, "/v2/keys") + `","index":9}` + "\n"))
			return
		}
		value := "v"
		action := "get"
		if r.Method == http.MethodPut {
			r.ParseForm()
			value, action = r.PostForm.Get("value"), "set"
		}
		w.Write([]byte(`{"action":"` + action + `","node":{"key":"/a","value":"` + value + `","modifiedIndex":7,"createdIndex":7}}` + "\n"))
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestPasswordPrompts: "New password: " and "Password: " go to stdout and
// the line is ended after the answer is read, as etcdctl's prompts do; the
// answer comes from stdin.
func TestPasswordPrompts(t *testing.T) {
	ep := startServer(t)
	res := runCtlStdin(t, "pw\n", "--endpoints", ep, "user", "add", "carol")
	if res.stdout != "New password: \nUser carol created\n" || res.code != 0 {
		t.Errorf("user add: %+v", res)
	}
	res = runCtlStdin(t, "pw2\n", "--endpoints", ep, "user", "passwd", "carol")
	if res.stdout != "New password: \nPassword updated\n" || res.code != 0 {
		t.Errorf("user passwd: %+v", res)
	}
	runCtl(t, "--endpoints", ep, "user", "add", "root:rootpw")
	if res := runCtl(t, "--endpoints", ep, "auth", "enable"); res.code != 0 {
		t.Fatalf("auth enable: %+v", res)
	}
	res = runCtlStdin(t, "rootpw\n", "--endpoints", ep, "-u", "root", "user", "list")
	if res.stdout != "Password: \ncarol\nroot\n" || res.code != 0 {
		t.Errorf("-u root with the password on stdin: %+v", res)
	}
	res = runCtlStdin(t, "wrong\n", "--endpoints", ep, "-u", "root", "user", "list")
	if res.stdout != "Password: \n" || res.stderr != "Insufficient credentials\n" || res.code != ExitBadArgs {
		t.Errorf("-u root with a wrong password: %+v", res)
	}
}

// TestClusterHealthForever: with -f the report repeats every 10 s, each
// followed by "next check after 10 second...", until interrupted (exit 0).
func TestClusterHealthForever(t *testing.T) {
	srv := fakeV2(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan int)
	go func() {
		done <- Run(ctx, []string{"skiffctl", "--endpoints", srv.URL, "cluster-health", "-f"},
			Streams{Stdin: strings.NewReader(""), Stdout: out, Stderr: out})
	}()
	want := "member 8e9e05c52164694d is healthy: got healthy result from " + srv.URL + "\n" +
		"member cf34a71f34619197 is unreachable: no available published client urls\ncluster is degraded\n" +
		"\nnext check after 10 second...\n\n"
	waitFor(t, out, want)
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("cluster-health -f exited %d after the interrupt; want 0", code)
	}
}

// TestClusterHealthUnreachableAndUnhealthy: every client URL of a member is
// tried, each failure named as net/http words it, then "are all
// unreachable"; a 503 {"health":"false"} is "unhealthy"; with no healthy
// member the cluster is "unavailable", exit 5. (Checked byte for byte
// against etcdctl with a fake server like this one.)
func TestClusterHealthUnreachableAndUnhealthy(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v2/members":
			w.Write([]byte(`{"members":[{"id":"8e9e05c52164694d","name":"n1","peerURLs":["http://127.0.0.1:2380"],"clientURLs":["http://127.0.0.1:1","http://127.0.0.1:2"]},` +
				`{"id":"aa","name":"n2","peerURLs":["http://127.0.0.1:2381"],"clientURLs":["` + srv.URL + `"]}]}`))
		case "/health":
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"health":"false"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	res := runCtl(t, "--endpoints", srv.URL, "cluster-health")
	want := `failed to check the health of member 8e9e05c52164694d on http://127.0.0.1:1: Get "http://127.0.0.1:1/health": dial tcp 127.0.0.1:1: connect: connection refused
failed to check the health of member 8e9e05c52164694d on http://127.0.0.1:2: Get "http://127.0.0.1:2/health": dial tcp 127.0.0.1:2: connect: connection refused
member 8e9e05c52164694d is unreachable: [http://127.0.0.1:1 http://127.0.0.1:2] are all unreachable
member aa is unhealthy: got unhealthy result from ` + srv.URL + `
cluster is unavailable
`
	if res.stdout != want || res.stderr != "" || res.code != ExitClusterNotHealthy {
		t.Errorf("got %+v\nwant stdout %q and exit 5", res, want)
	}
}
