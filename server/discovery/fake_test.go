package discovery

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"skiff/server/membership"
	"skiff/server/v2http"
	"skiff/store"
)

// instantMember is a one-member "cluster" whose raft is instant: Do applies
// the write to a real store at once (as server/v2http's tests do), so the
// real v2 HTTP API can serve as a discovery service without a cluster.
type instantMember struct {
	mu sync.Mutex // Apply is called from one HTTP goroutine at a time
	st *store.Store
}

func (m *instantMember) Do(_ context.Context, r *store.Request) (*store.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r.Time = time.Now()
	return m.st.Apply(r)
}
func (m *instantMember) LinearizableRead(context.Context) error { return nil }
func (m *instantMember) Store() *store.Store                    { return m.st }
func (m *instantMember) ClusterID() membership.ID               { return 0xc6211d4781154b9b }
func (m *instantMember) ID() membership.ID                      { return 1 }
func (m *instantMember) RaftIndexTerm() (uint64, uint64)        { return 1, 1 }
func (m *instantMember) Leader() (membership.ID, bool)          { return 1, true }
func (m *instantMember) Members() []membership.Member           { return nil }
func (m *instantMember) AddMember(context.Context, []string) (membership.Member, error) {
	return membership.Member{}, v2http.ErrReconfigRefused
}
func (m *instantMember) RemoveMember(context.Context, membership.ID) error {
	return v2http.ErrMemberNotFound
}
func (m *instantMember) UpdateMember(context.Context, membership.ID, []string) error {
	return v2http.ErrMemberNotFound
}
func (m *instantMember) SelfStats() any           { return struct{}{} }
func (m *instantMember) LeaderStats() (any, bool) { return nil, false }

// keyService is skiff's v2 keys API over a real store, on 127.0.0.1:0, used
// as a discovery service. Hooks let a test drop connections or act when a
// request arrives.
type keyService struct {
	*httptest.Server
	member *instantMember
	// dropNext closes the connection of that many coming requests without
	// an answer, as a service that is down would.
	dropNext atomic.Int32
	// onRequest, when set, is called before each request is served.
	onRequest func(r *http.Request)
}

func startKeyService(t *testing.T) *keyService {
	t.Helper()
	ks := &keyService{member: &instantMember{st: store.New()}}
	h, err := v2http.New(v2http.Config{Server: ks.member})
	if err != nil {
		t.Fatalf("v2http.New: %v", err)
	}
	ks.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ks.dropNext.Add(-1) >= 0 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
			return
		}
		if ks.onRequest != nil {
			ks.onRequest(r)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(ks.Close)
	return ks
}

// put writes key=value straight into the store, as if another client had.
func (ks *keyService) put(t *testing.T, key, value string) {
	t.Helper()
	_, err := ks.member.Do(context.Background(), &store.Request{Method: store.MethodPut, Namespace: store.Keys, Key: key, Value: value})
	if err != nil {
		t.Fatalf("put %s=%s: %v", key, value, err)
	}
}

// get reads key from the store ("" when it is missing).
func (ks *keyService) get(key string) string {
	ev, err := ks.member.st.Get(store.Keys, key, false, false, time.Now())
	if err != nil || ev.Node.Value == nil {
		return ""
	}
	return *ev.Node.Value
}

// children counts the entries under dir (hidden ones excluded).
func (ks *keyService) children(t *testing.T, dir string) int {
	t.Helper()
	ev, err := ks.member.st.Get(store.Keys, dir, false, false, time.Now())
	if err != nil {
		if strings.Contains(err.Error(), "Key not found") {
			return 0
		}
		t.Fatalf("get %s: %v", dir, err)
	}
	return len(ev.Node.Nodes)
}

// newToken creates a token directory with the given size and returns its
// discovery URL.
func (ks *keyService) newToken(t *testing.T, token, size string) string {
	t.Helper()
	ks.put(t, "/_etcd/registry/"+token+"/_config/size", size)
	return ks.URL + "/v2/keys/_etcd/registry/" + token
}
