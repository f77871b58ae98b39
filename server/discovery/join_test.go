package discovery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"skiff/server/membership"
)

// testMember is a member about to bootstrap through discovery.
type testMember struct {
	name string
	peer string // its one peer URL
}

func (m testMember) value() string { return m.name + "=" + m.peer }

// id is the member ID a server derives: the discovery URL is the cluster
// token (contract §8).
func (m testMember) id(durl string) membership.ID {
	return membership.MemberID([]string{m.peer}, durl, nil)
}

func members(n int) []testMember {
	out := make([]testMember, n)
	for i := range out {
		out[i] = testMember{name: fmt.Sprintf("infra%d", i+1), peer: fmt.Sprintf("http://127.0.0.1:%d", 12380+i)}
	}
	return out
}

// join runs one member's discovery with a fast backoff.
func join(ctx context.Context, t *testing.T, durl string, m testMember) (string, error) {
	d, err := New(durl, Options{Logger: testLogger(t), Backoff: func(int) time.Duration { return time.Millisecond }})
	if err != nil {
		t.Fatalf("New(%s): %v", durl, err)
	}
	return d.Join(ctx, m.id(durl), m.name, []string{m.peer})
}

// testLogger sends the package's log lines to the test's output.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

func joinCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// joinAll runs Join for every member at once and returns their results.
func joinAll(t *testing.T, durl string, ms []testMember) ([]string, []error) {
	results, errs := make([]string, len(ms)), make([]error, len(ms))
	var wg sync.WaitGroup
	for i, m := range ms {
		wg.Go(func() { results[i], errs[i] = join(joinCtx(t), t, durl, m) })
	}
	wg.Wait()
	return results, errs
}

// checkBootstrap checks that three concurrent members all got the same
// initial cluster, made of exactly the three of them, and that a fourth
// member is then told the cluster is full without registering.
func checkBootstrap(t *testing.T, durl string, count func() int) {
	ms := members(4)
	results, errs := joinAll(t, durl, ms[:3])
	for i, err := range errs {
		if err != nil {
			t.Fatalf("%s: Join: %v", ms[i].name, err)
		}
	}
	for i := range results {
		if results[i] != results[0] {
			t.Fatalf("members disagree on the initial cluster:\n%s: %s\n%s: %s", ms[0].name, results[0], ms[i].name, results[i])
		}
	}
	got, err := membership.ParseURLsMap(results[0])
	if err != nil {
		t.Fatalf("the result %q is not an --initial-cluster: %v", results[0], err)
	}
	want, _ := membership.ParseURLsMap(ms[0].value() + "," + ms[1].value() + "," + ms[2].value())
	if got.String() != want.String() {
		t.Fatalf("initial cluster = %s, want the three members %s", results[0], want)
	}

	_, err = join(joinCtx(t), t, durl, ms[3])
	if !errors.Is(err, ErrFullCluster) || !strings.HasPrefix(err.Error(), "discovery: cluster is full") {
		t.Fatalf("fourth member: err = %v, want discovery: cluster is full", err)
	}
	if n := count(); n != 3 {
		t.Errorf("the token holds %d registrations after the fourth member's try, want 3 (it must fail before registering)", n)
	}
}

// Contract §7.1: three members started at once with one token bootstrap the
// same initial cluster; a fourth is told the cluster is full.
func TestJoinThreeMembersAgreeAndAFourthFindsTheClusterFull(t *testing.T) {
	ks := startKeyService(t)
	durl := ks.newToken(t, "tok3", "3")
	checkBootstrap(t, durl, func() int { return ks.children(t, "/_etcd/registry/tok3") })
}

// Contract §7.1: the registration is <dir>/<member ID in hex> with the
// value name=peerURL, and the ID hashes the discovery URL as the token.
func TestJoinRegistersTheMemberUnderItsIDWithNameEqualsURL(t *testing.T) {
	ks := startKeyService(t)
	durl := ks.newToken(t, "tok1", "1")
	m := testMember{name: "dnode", peer: "http://127.0.0.1:44380"}
	got, err := join(joinCtx(t), t, durl, m)
	if err != nil {
		t.Fatalf("Join: %v", err)
	}
	if got != "dnode=http://127.0.0.1:44380" {
		t.Errorf("initial cluster = %q, want dnode=http://127.0.0.1:44380", got)
	}
	resp, err := http.Get(durl + "/" + m.id(durl).String())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Node struct{ Key, Value string }
	}
	if err := decodeJSON(resp, &body); err != nil {
		t.Fatal(err)
	}
	wantKey := "/_etcd/registry/tok1/" + m.id(durl).String()
	if body.Node.Key != wantKey || body.Node.Value != "dnode=http://127.0.0.1:44380" {
		t.Errorf("registry entry = {key:%q value:%q}, want {key:%q value:\"dnode=http://127.0.0.1:44380\"}", body.Node.Key, body.Node.Value, wantKey)
	}
}

// Contract §7.1 step 1: a token without _config/size, or with a size that
// is not a number, is refused with etcd's messages before anything is
// registered.
func TestJoinRefusesAMissingOrBadSizeKey(t *testing.T) {
	ks := startKeyService(t)
	m := members(1)[0]
	_, err := join(joinCtx(t), t, ks.URL+"/v2/keys/_etcd/registry/nosize", m)
	if !errors.Is(err, ErrSizeNotFound) || !strings.HasPrefix(err.Error(), "discovery: size key not found") {
		t.Errorf("no size key: err = %v, want discovery: size key not found", err)
	}
	for _, size := range []string{"three", "0", "-1", ""} {
		durl := ks.newToken(t, "bad"+size, size)
		_, err := join(joinCtx(t), t, durl, m)
		if !errors.Is(err, ErrBadSizeKey) || !strings.HasPrefix(err.Error(), "discovery: size key is bad") {
			t.Errorf("size %q: err = %v, want discovery: size key is bad", size, err)
		}
		if n := ks.children(t, "/_etcd/registry/bad"+size); n != 0 {
			t.Errorf("size %q: %d registrations, want none", size, n)
		}
	}
}

// Contract §7.1 step 1: a URL that does not answer with v2 JSON is a bad
// discovery endpoint: a web server's page, or a path outside /v2/keys.
func TestJoinRefusesAnEndpointThatIsNotAV2KeyService(t *testing.T) {
	ks := startKeyService(t)
	ks.newToken(t, "tok", "1")
	web := startWebPage(t)
	for _, durl := range []string{web + "/_etcd/registry/tok", ks.URL + "/_etcd/registry/tok"} {
		_, err := join(joinCtx(t), t, durl, members(1)[0])
		if !errors.Is(err, ErrBadDiscoveryEndpoint) || !strings.HasPrefix(err.Error(), "discovery: bad discovery endpoint") {
			t.Errorf("%s: err = %v, want discovery: bad discovery endpoint", durl, err)
		}
	}
}

// Contract §7.1 step 3: a member whose ID is already registered is told so.
func TestJoinRefusesADuplicateID(t *testing.T) {
	ks := startKeyService(t)
	durl := ks.newToken(t, "dup", "3")
	m := members(1)[0]
	ks.put(t, "/_etcd/registry/dup/"+m.id(durl).String(), m.value())
	_, err := join(joinCtx(t), t, durl, m)
	if !errors.Is(err, ErrDuplicateID) || !strings.HasPrefix(err.Error(), "discovery: found duplicate id") {
		t.Fatalf("err = %v, want discovery: found duplicate id", err)
	}
}

// Contract §7.1 step 5: two members with one name (and different URLs)
// cannot form a cluster; both are told.
func TestJoinRefusesDuplicateNames(t *testing.T) {
	ks := startKeyService(t)
	durl := ks.newToken(t, "names", "2")
	ms := members(2)
	ms[1].name = ms[0].name
	_, errs := joinAll(t, durl, ms)
	for i, err := range errs {
		if !errors.Is(err, ErrDuplicateName) || !strings.HasPrefix(err.Error(), "discovery: found duplicate name") {
			t.Errorf("member %d: err = %v, want discovery: found duplicate name", i, err)
		}
	}
}

// decodeJSON reads a JSON body.
func decodeJSON(resp *http.Response, v any) error {
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}
	return jsonDecode(resp.Body, v)
}
