package v2http

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"skiff/server/membership"
	"skiff/store"
)

// testClusterID is the fake member's cluster ID, sent as X-Etcd-Cluster-Id.
const testClusterID = membership.ID(0xc6211d4781154b9b)

// fakeServer is a one-member "cluster" whose raft is instant: Do applies the
// request to a real store at once, so the whole API can be exercised over
// HTTP. Errors can be injected to test how failures are reported.
type fakeServer struct {
	st *store.Store

	mu        sync.Mutex
	raftIndex uint64
	term      uint64
	members   []membership.Member
	removed   map[membership.ID]bool
	leader    membership.ID
	hasLeader bool
	isLeader  bool
	doErr     error         // returned by Do instead of applying, when set
	readErr   error         // returned by LinearizableRead, when set
	readDelay time.Duration // LinearizableRead waits this long (or until ctx is done)
	reads     int           // LinearizableRead calls
}

func newFakeServer() *fakeServer {
	self := membership.Member{ID: 0x153a9f79bdc10b11, Name: "default",
		PeerURLs: []string{"http://127.0.0.1:2380"}, ClientURLs: []string{"http://127.0.0.1:2379"}}
	return &fakeServer{st: store.New(), raftIndex: 5, term: 2, members: []membership.Member{self},
		removed: map[membership.ID]bool{}, leader: self.ID, hasLeader: true, isLeader: true}
}

func (f *fakeServer) Do(ctx context.Context, r *store.Request) (*store.Event, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.doErr != nil {
		return nil, f.doErr
	}
	r.Time = time.Now()
	ev, err := f.st.Apply(r)
	f.raftIndex++
	return ev, err
}

func (f *fakeServer) LinearizableRead(ctx context.Context) error {
	f.mu.Lock()
	f.reads++
	err, delay := f.readErr, f.readDelay
	f.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return err
}

func (f *fakeServer) Store() *store.Store      { return f.st }
func (f *fakeServer) ClusterID() membership.ID { return testClusterID }
func (f *fakeServer) ID() membership.ID        { return f.members[0].ID }

func (f *fakeServer) RaftIndexTerm() (uint64, uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.raftIndex, f.term
}

func (f *fakeServer) Leader() (membership.ID, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.leader, f.hasLeader
}

func (f *fakeServer) Members() []membership.Member {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]membership.Member(nil), f.members...)
}

func (f *fakeServer) AddMember(ctx context.Context, peerURLs []string) (membership.Member, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.members {
		for _, u := range m.PeerURLs {
			for _, v := range peerURLs {
				if u == v {
					return membership.Member{}, ErrPeerURLExists
				}
			}
		}
	}
	now := time.Now()
	m := membership.NewMember("", peerURLs, "", &now)
	f.members = append(f.members, m)
	return m, nil
}

func (f *fakeServer) RemoveMember(ctx context.Context, id membership.ID) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.removed[id] {
		return ErrMemberRemoved
	}
	for i, m := range f.members {
		if m.ID == id {
			f.members = append(f.members[:i], f.members[i+1:]...)
			f.removed[id] = true
			return nil
		}
	}
	return ErrMemberNotFound
}

func (f *fakeServer) UpdateMember(ctx context.Context, id membership.ID, peerURLs []string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, m := range f.members {
		if m.ID == id {
			f.members[i].PeerURLs = peerURLs
			return nil
		}
	}
	return ErrMemberNotFound
}

func (f *fakeServer) SelfStats() any {
	return map[string]any{"name": "default", "id": f.members[0].ID.String(), "state": "StateLeader"}
}

func (f *fakeServer) LeaderStats() (any, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.isLeader {
		return nil, false
	}
	return map[string]any{"leader": f.leader.String(), "followers": map[string]any{}}, true
}

// newTestAPI serves the API over a fake member on a port chosen by the OS.
// Options may adjust the Config before New.
func newTestAPI(t *testing.T, opts ...func(*Config)) (*httptest.Server, *fakeServer) {
	t.Helper()
	fs := newFakeServer()
	cfg := Config{Server: fs}
	for _, o := range opts {
		o(&cfg)
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts, fs
}

// response is what a test looks at: status, headers and the whole body.
type response struct {
	status int
	header http.Header
	body   string
}

// call sends one request. A body is sent as a urlencoded form unless
// contentType says otherwise; the client never follows redirects.
func call(t *testing.T, method, rawURL, body string, header ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, rawURL, rd)
	if err != nil {
		t.Fatalf("NewRequest %s %s: %v", method, rawURL, err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, rawURL, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

var noRedirect = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       10 * time.Second,
}

// form builds a urlencoded body from name, value pairs.
func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

// jsonBody decodes a response body.
func jsonBody(body string, v any) error { return json.Unmarshal([]byte(body), v) }
