package v2auth

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"skiff/server/membership"
	"skiff/server/v2http"
	"skiff/store"
)

// fakeMember is a one-member "cluster" whose log is a slice: Do applies each
// request to its own store and to every follower store, in order, as raft
// would on every member. It implements v2http.Server so that tests go
// through the real client API.
type fakeMember struct {
	mu        sync.Mutex
	store     *store.Store
	followers []*store.Store
	log       []store.Request // every request proposed, in order
}

var _ v2http.Server = (*fakeMember)(nil)
var _ v2http.Authorizer = (*Auth)(nil)

func newFakeMember() *fakeMember { return &fakeMember{store: store.New()} }

func (m *fakeMember) Do(ctx context.Context, r *store.Request) (*store.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r.Time = time.Now()
	m.log = append(m.log, *r)
	for _, f := range m.followers {
		c := *r
		_, _ = f.Apply(&c)
	}
	return m.store.Apply(r)
}

func (m *fakeMember) requests() []store.Request {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]store.Request(nil), m.log...)
}

func (m *fakeMember) LinearizableRead(context.Context) error { return nil }
func (m *fakeMember) Store() *store.Store                    { return m.store }
func (m *fakeMember) ClusterID() membership.ID               { return 0xc1 }
func (m *fakeMember) ID() membership.ID                      { return 0xa1 }
func (m *fakeMember) RaftIndexTerm() (uint64, uint64)        { return m.store.Index(), 1 }
func (m *fakeMember) Leader() (membership.ID, bool)          { return 0xa1, true }
func (m *fakeMember) Members() []membership.Member {
	return []membership.Member{{ID: 0xa1, Name: "m1", PeerURLs: []string{"http://127.0.0.1:1"}}}
}
func (m *fakeMember) AddMember(context.Context, []string) (membership.Member, error) {
	return membership.Member{ID: 0xb2, PeerURLs: []string{"http://127.0.0.1:2"}}, nil
}
func (m *fakeMember) RemoveMember(context.Context, membership.ID) error {
	return v2http.ErrMemberNotFound
}
func (m *fakeMember) UpdateMember(context.Context, membership.ID, []string) error {
	return v2http.ErrMemberNotFound
}
func (m *fakeMember) SelfStats() any           { return map[string]string{} }
func (m *fakeMember) LeaderStats() (any, bool) { return nil, false }

// testAuth returns an Auth over m with the cheapest bcrypt cost.
func testAuth(t testing.TB, m Member) *Auth {
	t.Helper()
	a, err := New(Config{Member: m, BcryptCost: bcrypt.MinCost})
	require.NoError(t, err)
	return a
}

// apiServer is the whole client API (server/v2http) of m with a's
// Authorizer and handler, listening on a loopback port.
func apiServer(t *testing.T, m *fakeMember, a *Auth) *httptest.Server {
	t.Helper()
	h, err := v2http.New(v2http.Config{Server: m, Authorizer: a, AuthHandler: a.Handler(), Registry: prometheus.NewRegistry()})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// reply is one HTTP answer, reduced to what the contract specifies.
type reply struct {
	Status int
	Body   string
}

// call sends one request; user "" sends no credentials, "user:password"
// sends Basic ones, and any other value is sent as the raw Authorization
// header. A body starting with "{" is sent as JSON, any other as a form.
func call(t *testing.T, base, method, path, user, body string) reply {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	require.NoError(t, err)
	if name, pw, ok := strings.Cut(user, ":"); ok {
		req.SetBasicAuth(name, pw)
	} else if user != "" {
		req.Header.Set("Authorization", user)
	}
	if strings.HasPrefix(body, "{") {
		req.Header.Set("Content-Type", "application/json")
	} else if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return reply{resp.StatusCode, string(b)}
}

// mustCall is call that requires the status.
func mustCall(t *testing.T, base, method, path, user, body string, status int) string {
	t.Helper()
	r := call(t, base, method, path, user, body)
	require.Equal(t, status, r.Status, "%s %s as %q: %s", method, path, user, r.Body)
	return r.Body
}
