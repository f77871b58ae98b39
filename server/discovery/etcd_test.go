package discovery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

const etcdBinary = "/usr/bin/etcd"

// etcdProc is one etcd 3.4 process started by a test and killed when it ends.
type etcdProc struct {
	clientURL string
	peerURL   string
	out       *syncBuffer
	exited    chan struct{} // closed when the process has exited
	exitErr   error         // valid after exited is closed
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startEtcdProc runs etcd with the given name and extra flags on free
// loopback ports, or skips the test when etcd is not installed.
func startEtcdProc(t *testing.T, name string, extra ...string) *etcdProc {
	t.Helper()
	if _, err := os.Stat(etcdBinary); err != nil {
		t.Skipf("%s is not installed; the tests against real etcd need it (Debian package etcd-server)", etcdBinary)
	}
	p := &etcdProc{
		clientURL: fmt.Sprintf("http://127.0.0.1:%d", freePort(t)),
		peerURL:   fmt.Sprintf("http://127.0.0.1:%d", freePort(t)),
		out:       &syncBuffer{}, exited: make(chan struct{}),
	}
	args := append([]string{"--name", name, "--data-dir", t.TempDir(), "--enable-v2",
		"--listen-client-urls", p.clientURL, "--advertise-client-urls", p.clientURL,
		"--listen-peer-urls", p.peerURL, "--initial-advertise-peer-urls", p.peerURL}, extra...)
	cmd := exec.Command(etcdBinary, args...)
	cmd.Env = withoutEtcdVars(os.Environ())
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start etcd: %v", err)
	}
	go func() {
		p.exitErr = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.exited
	})
	return p
}

// withoutEtcdVars drops ETCD_* variables, which etcd would read as flags.
func withoutEtcdVars(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "ETCD_") {
			out = append(out, kv)
		}
	}
	return out
}

// waitHealthy waits until the process answers GET /health with 200.
func (p *etcdProc) waitHealthy(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			t.Fatalf("etcd exited (%v):\n%s", p.exitErr, p.out)
		case <-time.After(100 * time.Millisecond):
		}
		resp, err := http.Get(p.clientURL + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
	}
	t.Fatalf("etcd did not become healthy in 15s:\n%s", p.out)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// etcdPut writes key=value with the v2 API, as an operator creating a token.
func etcdPut(t *testing.T, base, key, value string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, base+"/v2/keys"+key, strings.NewReader(url.Values{"value": {value}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("PUT %s: %v", key, err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("PUT %s: %s", key, resp.Status)
	}
}

// etcdList returns the registrations in a token directory, key → value.
func etcdList(t *testing.T, durl string) map[string]string {
	t.Helper()
	resp, err := http.Get(durl)
	if err != nil {
		t.Fatalf("GET %s: %v", durl, err)
	}
	defer resp.Body.Close()
	var body struct {
		Node struct{ Nodes []struct{ Key, Value string } }
	}
	if err := decodeJSON(resp, &body); err != nil {
		t.Fatalf("GET %s: %v", durl, err)
	}
	out := map[string]string{}
	for _, n := range body.Node.Nodes {
		out[n.Key] = n.Value
	}
	return out
}

// Contract §7.1 against real etcd as the discovery service: three members
// started at once agree on the initial cluster; a fourth is told it is full.
func TestJoinWithEtcdAsTheDiscoveryService(t *testing.T) {
	svc := startEtcdProc(t, "disc")
	svc.waitHealthy(t)
	etcdPut(t, svc.clientURL, "/_etcd/registry/tok3/_config/size", "3")
	durl := svc.clientURL + "/v2/keys/_etcd/registry/tok3"
	checkBootstrap(t, durl, func() int { return len(etcdList(t, durl)) })

	// The refusals of step 1 and 3, with etcd's answers.
	etcdPut(t, svc.clientURL, "/_etcd/registry/bad/_config/size", "three")
	etcdPut(t, svc.clientURL, "/_etcd/registry/dup/_config/size", "3")
	m := members(1)[0]
	dupURL := svc.clientURL + "/v2/keys/_etcd/registry/dup"
	etcdPut(t, svc.clientURL, "/_etcd/registry/dup/"+m.id(dupURL).String(), m.value())
	for _, c := range []struct {
		durl string
		want error
	}{
		{svc.clientURL + "/v2/keys/_etcd/registry/none", ErrSizeNotFound},
		{svc.clientURL + "/v2/keys/_etcd/registry/bad", ErrBadSizeKey},
		{dupURL, ErrDuplicateID},
		{svc.clientURL + "/_etcd/registry/tok3", ErrBadDiscoveryEndpoint},
	} {
		if _, err := join(joinCtx(t), t, c.durl, m); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.durl, err, c.want)
		}
	}
}

// An etcd member bootstrapping with --discovery registers exactly what
// skiff's Join registers (key = member ID hashed with the discovery URL,
// value name=peerURL), and the two see the same "cluster is full": etcd's
// second member exits with it, and so does skiff's Join.
func TestJoinMatchesAnEtcdMemberUsingTheSameToken(t *testing.T) {
	svc := startEtcdProc(t, "disc")
	svc.waitHealthy(t)
	etcdPut(t, svc.clientURL, "/_etcd/registry/tok1/_config/size", "1")
	durl := svc.clientURL + "/v2/keys/_etcd/registry/tok1"

	first := startEtcdProc(t, "dnode", "--discovery", durl)
	first.waitHealthy(t)
	m := testMember{name: "dnode", peer: first.peerURL}
	want := map[string]string{"/_etcd/registry/tok1/" + m.id(durl).String(): m.value()}
	if got := etcdList(t, durl); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("etcd registered %v; skiff derives %v", got, want)
	}

	second := startEtcdProc(t, "dnode2", "--discovery", durl, "--discovery-fallback", "exit")
	select {
	case <-second.exited:
	case <-time.After(15 * time.Second):
		t.Fatal("etcd's second member did not exit on a full token")
	}
	if !strings.Contains(second.out.String(), ErrFullCluster.Error()) {
		t.Errorf("etcd's second member did not log %q:\n%s", ErrFullCluster, second.out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := join(ctx, t, durl, testMember{name: "dnode3", peer: "http://127.0.0.1:1"})
	if !errors.Is(err, ErrFullCluster) {
		t.Errorf("skiff on the same token: err = %v, want %v", err, ErrFullCluster)
	}
}
