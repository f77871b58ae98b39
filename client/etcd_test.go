package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"skiff/internal/etcdtest"
)

// tok is the cluster token of every member the client tests start.
var tok = etcdtest.Flags("--initial-cluster-token", "client-test")

// TestAgainstEtcd runs the client against a real etcd 3.4.23 with the v2
// API on, started for this test: every key operation, watches, members,
// stats, health, auth, and etcdctl's own requests compared with ours.
// It is skipped when /usr/bin/etcd is absent, and in -short mode.
func TestAgainstEtcd(t *testing.T) {
	runSuite(t, etcdtest.Start(t, tok))
}

// TestAgainstSkiff runs the same suite against skiff's own server when
// $SKIFF_BIN names its binary; etcdctl is then pointed at skiff too.
func TestAgainstSkiff(t *testing.T) {
	bin := os.Getenv("SKIFF_BIN")
	if bin == "" {
		t.Skip("set SKIFF_BIN to a skiff binary (go build -o /tmp/skiff ./cmd/skiff) to run the client suite against skiff")
	}
	runSuite(t, etcdtest.Start(t, etcdtest.Binary(bin), tok))
}

// runSuite is the suite both servers must pass.
func runSuite(t *testing.T, e *etcdtest.Member) {
	c := newTestClient(t, Config{Endpoints: []string{e.ClientURL}, HeaderTimeout: 5 * time.Second, TotalTimeout: 10 * time.Second})
	t.Run("keys", func(t *testing.T) { etcdKeys(t, c) })
	t.Run("dirs", func(t *testing.T) { etcdDirs(t, c) })
	t.Run("ttl and flags", func(t *testing.T) { etcdTTLAndFlags(t, c) })
	t.Run("watch", func(t *testing.T) { etcdWatch(t, c) })
	t.Run("watch through a dropped connection", func(t *testing.T) { etcdWatchDrop(t, c, e) })
	t.Run("cluster", func(t *testing.T) { etcdCluster(t, c, e) })
	t.Run("failover", func(t *testing.T) { etcdFailover(t, e) })
	t.Run("same requests as etcdctl", func(t *testing.T) { etcdSameRequests(t, e) })
	t.Run("same json as etcdctl", func(t *testing.T) { etcdSameJSON(t, c, e) })
	t.Run("history cleared", func(t *testing.T) { etcdHistoryCleared(t, c) })
	t.Run("auth", func(t *testing.T) { etcdAuth(t, c, e) }) // last: it turns auth on and off
}

// ok returns a check for a call's results: it fails the test on an error
// and passes the response through, as in ok(t)(c.Get(ctx, "/a", nil)).
func ok(t *testing.T) func(*Response, error) *Response {
	return func(resp *Response, err error) *Response {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
}

var hexID = regexp.MustCompile(`^[0-9a-f]{1,16}$`) // %x: no leading zeros

func etcdKeys(t *testing.T, c *Client) {
	ctx := context.Background()
	r := ok(t)(c.Set(ctx, "/it/a", "1", nil))
	if r.Action != "set" || r.StatusCode != 201 || r.Node.Value != "1" || r.Index != r.Node.ModifiedIndex ||
		r.RaftIndex == 0 || r.RaftTerm == 0 || !hexID.MatchString(r.ClusterID) {
		t.Errorf("first set: %+v %+v", r, r.Node)
	}
	r = ok(t)(c.Set(ctx, "/it/a", "2", nil))
	if r.StatusCode != 200 || r.PrevNode == nil || r.PrevNode.Value != "1" {
		t.Errorf("second set: %+v", r)
	}
	if r := ok(t)(c.Get(ctx, "/it/a", &GetOptions{Quorum: true})); r.Action != "get" || r.Node.Value != "2" {
		t.Errorf("get: %+v", r)
	}
	_, err := c.Create(ctx, "/it/a", "x", 0)
	if !IsKeyExists(err) {
		t.Errorf("create on an existing key: %v", err)
	}
	_, err = c.Update(ctx, "/it/missing", "x", 0)
	var e *Error
	if !IsKeyNotFound(err) || !errors.As(err, &e) || e.Cause != "/it/missing" || e.StatusCode != 404 || e.Index == 0 {
		t.Errorf("update of a missing key: %#v", err)
	}
	_, err = c.CompareAndSwap(ctx, "/it/a", "3", "nope", 0)
	if !IsCompareFailed(err) || !errors.As(err, &e) || e.Cause != "[nope != 2]" {
		t.Errorf("failed CAS: %v", err)
	}
	if r := ok(t)(c.CompareAndSwap(ctx, "/it/a", "3", "2", 0)); r.Action != "compareAndSwap" || r.Node.Value != "3" {
		t.Errorf("CAS: %+v", r)
	}
	if r := ok(t)(c.Update(ctx, "/it/a", "4", 0)); r.Action != "update" {
		t.Errorf("update: %+v", r)
	}
	r = ok(t)(c.Create(ctx, "/it/new", "n", 0))
	if r.Action != "create" || r.StatusCode != 201 {
		t.Errorf("create: %+v", r)
	}
	q := ok(t)(c.CreateInOrder(ctx, "/it/queue", "job", 0))
	if !regexp.MustCompile(`^/it/queue/\d{20}$`).MatchString(q.Node.Key) || q.Action != "create" {
		t.Errorf("in-order create made %q", q.Node.Key)
	}
	if r := ok(t)(c.CompareAndDelete(ctx, "/it/new", "n", r.Node.ModifiedIndex)); r.Action != "compareAndDelete" || r.PrevNode.Value != "n" {
		t.Errorf("CAD: %+v", r)
	}
	if r := ok(t)(c.Delete(ctx, "/it/a", nil)); r.Action != "delete" || r.PrevNode.Value != "4" {
		t.Errorf("delete: %+v", r)
	}
	if _, err := c.Get(ctx, "/it/a", nil); !IsKeyNotFound(err) {
		t.Errorf("get after delete: %v", err)
	}
	if _, err := c.Set(ctx, "/", "x", nil); !errors.Is(err, ErrRootReadOnly) {
		t.Errorf("set on the root: %v", err)
	}
	if r := ok(t)(c.Set(ctx, "/it/sp ace & more", "v", nil)); r.Node.Key != "/it/sp ace & more" {
		t.Errorf("escaped key came back as %q", r.Node.Key)
	}
}

func etcdDirs(t *testing.T, c *Client) {
	ctx := context.Background()
	if r := ok(t)(c.Mkdir(ctx, "/d/x", 0)); !r.Node.Dir || r.Action != "create" {
		t.Errorf("mkdir: %+v", r)
	}
	if _, err := c.Mkdir(ctx, "/d/x", 0); !IsKeyExists(err) {
		t.Errorf("second mkdir: %v", err)
	}
	if _, err := c.SetDir(ctx, "/d/x", 0); !errors.Is(err, ErrNotFile) {
		t.Errorf("setdir on a dir (contract §5.2: 102): %v", err)
	}
	ok(t)(c.Set(ctx, "/d/f", "file", nil))
	if r := ok(t)(c.SetDir(ctx, "/d/f", 0)); !r.Node.Dir {
		t.Errorf("setdir on a file makes a dir: %+v", r.Node)
	}
	if r := ok(t)(c.UpdateDir(ctx, "/d/x", 100*time.Second)); r.Action != "update" || r.Node.TTL == 0 {
		t.Errorf("updatedir: %+v", r.Node)
	}
	ok(t)(c.Set(ctx, "/d/x/b", "2", nil))
	ok(t)(c.Set(ctx, "/d/x/a", "1", nil))
	ok(t)(c.Set(ctx, "/d/x/sub/c", "3", nil))
	r := ok(t)(c.Get(ctx, "/d/x", &GetOptions{Recursive: true, Sorted: true}))
	var keys []string
	var walk func(n *Node)
	walk = func(n *Node) {
		for _, ch := range n.Nodes {
			keys = append(keys, ch.Key)
			walk(ch)
		}
	}
	walk(r.Node)
	if got := strings.Join(keys, " "); got != "/d/x/a /d/x/b /d/x/sub /d/x/sub/c" {
		t.Errorf("recursive sorted listing: %s", got)
	}
	if _, err := c.Delete(ctx, "/d/x", nil); !errors.Is(err, ErrNotFile) {
		t.Errorf("delete of a dir without flags: %v", err)
	}
	if _, err := c.Delete(ctx, "/d/x", &DeleteOptions{Dir: true}); !errors.Is(err, &Error{Code: CodeDirNotEmpty}) {
		t.Errorf("rmdir of a full dir: %v", err)
	}
	if r := ok(t)(c.Delete(ctx, "/d/x", &DeleteOptions{Dir: true, Recursive: true})); r.Action != "delete" || !r.Node.Dir {
		t.Errorf("rm -r: %+v", r)
	}
	if _, err := c.Get(ctx, "/d/f/under", nil); !errors.Is(err, ErrNotFile) && !IsKeyNotFound(err) {
		t.Errorf("get under an empty dir: %v", err)
	}
}

func etcdTTLAndFlags(t *testing.T, c *Client) {
	ctx := context.Background()
	r := ok(t)(c.Set(ctx, "/ttl/k", "v", &SetOptions{TTL: 100 * time.Second}))
	if r.Node.TTL < 99 || r.Node.TTL > 100 || r.Node.Expiration == nil || time.Until(*r.Node.Expiration) < 90*time.Second {
		t.Errorf("ttl node: %+v", r.Node)
	}
	r = ok(t)(c.Set(ctx, "/ttl/k", "", &SetOptions{TTL: 200 * time.Second, Refresh: true, PrevExist: PrevExists}))
	if r.Node.Value != "v" || r.Node.TTL < 199 {
		t.Errorf("refresh kept the value and reset the TTL? %+v", r.Node)
	}
	if _, err := c.Set(ctx, "/ttl/k", "", &SetOptions{Refresh: true}); ErrorCode(err) != CodeRefreshTTLMissing {
		t.Errorf("refresh without a TTL: %v", err)
	}
	if r := ok(t)(c.Update(ctx, "/ttl/k", "w", 0)); r.Node.TTL != 0 || r.Node.Expiration != nil {
		t.Errorf("update without a TTL clears it: %+v", r.Node)
	}
	r = ok(t)(c.Set(ctx, "/ttl/quiet", "v", &SetOptions{NoValueOnSuccess: true}))
	if r.Action != "set" || r.Node != nil || r.PrevNode != nil {
		t.Errorf("noValueOnSuccess: %+v", r)
	}
	if r := ok(t)(c.Set(ctx, "/ttl/idx", "1", nil)); true {
		if _, err := c.Set(ctx, "/ttl/idx", "2", &SetOptions{PrevIndex: r.Node.ModifiedIndex + 100}); !IsCompareFailed(err) {
			t.Errorf("prevIndex mismatch: %v", err)
		}
		ok(t)(c.Set(ctx, "/ttl/idx", "2", &SetOptions{PrevIndex: r.Node.ModifiedIndex}))
	}
}

func etcdWatch(t *testing.T, c *Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	first := ok(t)(c.Set(ctx, "/w/a", "1", nil))
	ok(t)(c.Set(ctx, "/w/a", "2", nil))

	// From history: the first event at or after AfterIndex+1.
	w := c.Watcher("/w/a", &WatchOptions{AfterIndex: first.Node.ModifiedIndex - 1})
	if r, err := w.Next(ctx); err != nil || r.Node.Value != "1" || r.Action != "set" {
		t.Fatalf("watch from history: %+v, %v", r, err)
	}
	if r, err := w.Next(ctx); err != nil || r.Node.Value != "2" || r.PrevNode.Value != "1" {
		t.Fatalf("second event from history: %+v, %v", r, err)
	}

	for _, stream := range []bool{false, true} {
		// Watch from the current index, so the events below are seen
		// whether the watch begins before or after they happen.
		now := ok(t)(c.Get(ctx, "/w", nil)).Index
		rw := c.Watcher("/w", &WatchOptions{Recursive: true, Stream: stream, AfterIndex: now})
		got := make(chan string, 3)
		var wg sync.WaitGroup
		wg.Go(func() {
			for range 3 {
				r, err := rw.Next(ctx)
				if err != nil {
					got <- "error: " + err.Error()
					return
				}
				got <- r.Action + " " + r.Node.Key
			}
		})
		time.Sleep(100 * time.Millisecond) // usually the watch is live by now; either way works
		ok(t)(c.Set(ctx, "/w/x", "1", nil))
		ok(t)(c.Set(ctx, "/w/deeper/y", "1", nil))
		ok(t)(c.Delete(ctx, "/w/x", nil))
		wg.Wait()
		rw.Close()
		close(got)
		var events []string
		for s := range got {
			events = append(events, s)
		}
		if strings.Join(events, ", ") != "set /w/x, set /w/deeper/y, delete /w/x" {
			t.Errorf("stream=%v recursive watch saw: %v", stream, events)
		}
	}
}

// etcdWatchDrop cuts a streaming watch's connection while events happen
// and shows the watcher reconnects and delivers each of them once.
func etcdWatchDrop(t *testing.T, c *Client, e *etcdtest.Member) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p := newDropProxy(t, strings.TrimPrefix(e.ClientURL, "http://"))
	viaProxy := newTestClient(t, Config{Endpoints: []string{p.URL()}})
	start := ok(t)(c.Set(ctx, "/drop/k", "0", nil)).Index
	w := viaProxy.Watcher("/drop/k", &WatchOptions{AfterIndex: start, Stream: true})
	defer w.Close()
	var got []string
	next := func() {
		r, err := w.Next(ctx)
		if err != nil {
			t.Fatalf("Next after %v: %v", got, err)
		}
		got = append(got, r.Node.Value)
	}
	ok(t)(c.Set(ctx, "/drop/k", "1", nil))
	next()
	p.dropAll() // the stream is cut; these two happen while it is down
	ok(t)(c.Set(ctx, "/drop/k", "2", nil))
	ok(t)(c.Set(ctx, "/drop/k", "3", nil))
	next()
	next()
	if strings.Join(got, ",") != "1,2,3" {
		t.Errorf("events through the drop: %v, want 1,2,3", got)
	}
}

func etcdCluster(t *testing.T, c *Client, e *etcdtest.Member) {
	ctx := context.Background()
	ms, err := c.Members(ctx)
	if err != nil || len(ms) != 1 || ms[0].Name != "default" || ms[0].ClientURLs[0] != e.ClientURL || !hexID.MatchString(ms[0].ID) {
		t.Fatalf("members: %+v, %v", ms, err)
	}
	if l, err := c.Leader(ctx); err != nil || l.ID != ms[0].ID {
		t.Errorf("leader: %+v, %v", l, err)
	}
	if err := c.UpdateMember(ctx, ms[0].ID, []string{e.PeerURL}); err != nil {
		t.Errorf("update member to its own URL: %v", err)
	}
	err = c.RemoveMember(ctx, "1234")
	if err != nil && strings.Contains(err.Error(), "exceeded header timeout") {
		// etcd 3.4's raft drops a configuration change proposed while the
		// last one is applied by etcdserver but not yet by raft ("ignoring
		// conf change ... possible unapplied conf change"), and the request
		// then waits until it times out; seen under load right after the
		// update above. Removing an unknown member changes nothing, so ask
		// again. (skiff's raft loop retries such a proposal itself.)
		err = c.RemoveMember(ctx, "1234")
	}
	if err == nil || err.Error() != "No such member: 1234" {
		t.Errorf("remove unknown member: %v", err)
	}
	if _, err := c.AddMember(ctx, []string{"bad"}); err == nil || !strings.Contains(err.Error(), "URL scheme must be http") {
		t.Errorf("add a bad URL: %v", err)
	}
	if v, err := c.Version(ctx); err != nil || !strings.HasPrefix(v.Server, "3.4") {
		t.Errorf("version: %+v, %v", v, err)
	}
	if ok, err := c.Health(ctx); err != nil || !ok {
		t.Errorf("health: %v, %v", ok, err)
	}
	if ok, err := c.EndpointHealth(ctx, e.ClientURL); err != nil || !ok {
		t.Errorf("endpoint health: %v, %v", ok, err)
	}
	if s, err := c.SelfStats(ctx); err != nil || s.ID != ms[0].ID || s.State != "StateLeader" {
		t.Errorf("self stats: %+v, %v", s, err)
	}
	if s, err := c.LeaderStats(ctx); err != nil || s.Leader != ms[0].ID {
		t.Errorf("leader stats: %+v, %v", s, err)
	}
	if s, err := c.StoreStats(ctx); err != nil || s.SetsSuccess == 0 {
		t.Errorf("store stats: %+v, %v", s, err)
	}
	sc := newTestClient(t, Config{Endpoints: []string{deadEndpoint(t), e.ClientURL}})
	if err := sc.Sync(ctx); err != nil || strings.Join(sc.Endpoints(), ",") != e.ClientURL {
		t.Errorf("sync: %v, endpoints %v", err, sc.Endpoints())
	}
}

func etcdFailover(t *testing.T, e *etcdtest.Member) {
	c := newTestClient(t, Config{Endpoints: []string{deadEndpoint(t), e.ClientURL}})
	r, err := c.Set(context.Background(), "/fo", "v", nil)
	if err != nil || r.Endpoint != e.ClientURL {
		t.Fatalf("set via the second endpoint: %+v, %v", r, err)
	}
	dead := newTestClient(t, Config{Endpoints: []string{deadEndpoint(t)}})
	_, err = dead.Get(context.Background(), "/fo", nil)
	if !errors.Is(err, ErrClusterUnavailable) {
		t.Errorf("no endpoint: %v", err)
	}
}

// etcdSameRequests runs etcdctl --debug and the client side by side and
// compares etcdctl's "cURL Command:" lines with the client's traces.
func etcdSameRequests(t *testing.T, e *etcdtest.Member) {
	var mu sync.Mutex
	var traces []string
	c := newTestClient(t, Config{Endpoints: []string{e.ClientURL}, OnRequest: func(tr RequestTrace) {
		mu.Lock()
		defer mu.Unlock()
		traces = append(traces, tr.Curl())
	}})
	ctx := context.Background()
	first := ok(t)(c.Set(ctx, "/cmp/w", "0", nil)).Node.ModifiedIndex
	for _, tc := range sameRequestCases(ctx, c, first) {
		// etcdctl runs first and must succeed; the client then sends the
		// same command. Its outcome differs (etcdctl changed the state
		// already), so only the requests are compared here; the other
		// subtests check outcomes.
		etcdtest.RequireEtcdctl(t)
		ctlCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, stderr, code := etcdtest.Etcdctl(ctlCtx, e.ClientURL, append([]string{"--no-sync", "--debug"}, tc.args...)...)
		cancel()
		if code != 0 {
			t.Fatalf("etcdctl %v exited %d: %s", tc.args, code, stderr)
		}
		want := curlLines(stderr)
		mu.Lock()
		traces = nil
		mu.Unlock()
		_ = tc.call()
		mu.Lock()
		got := traces
		mu.Unlock()
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("etcdctl %v sent\n  %s\nthe client sent\n  %s", tc.args, strings.Join(want, "\n  "), strings.Join(got, "\n  "))
		}
	}
}

// ctlCase is an etcdctl command and the client calls that do the same.
type ctlCase struct {
	args []string
	call func() error
}

// sameRequestCases lists etcdctl commands next to the client calls that
// send the same requests; first is the index of the set of /cmp/w.
func sameRequestCases(ctx context.Context, c *Client, first uint64) []ctlCase {
	return []ctlCase{
		{[]string{"set", "--ttl", "5", "/cmp/a", "a&b=c"}, func() error {
			_, err := c.Set(ctx, "/cmp/a", "a&b=c", &SetOptions{TTL: 5 * time.Second})
			return err
		}},
		{[]string{"set", "--swap-with-value", "a&b=c", "--swap-with-index", "0", "/cmp/a", "2"}, func() error {
			_, err := c.Set(ctx, "/cmp/a", "2", &SetOptions{PrevValue: "a&b=c"})
			return err
		}},
		{[]string{"get", "--quorum", "/cmp/a"}, func() error { _, err := c.Get(ctx, "/cmp/a", &GetOptions{Quorum: true}); return err }},
		{[]string{"ls", "-r", "--sort", "/"}, func() error {
			_, err := c.Get(ctx, "/", &GetOptions{Recursive: true, Sorted: true})
			return err
		}},
		{[]string{"mk", "/cmp/m", "v"}, func() error { _, err := c.Create(ctx, "/cmp/m", "v", 0); return err }},
		{[]string{"mk", "--in-order", "--ttl", "9", "/cmp/q", "v"}, func() error { _, err := c.CreateInOrder(ctx, "/cmp/q", "v", 9*time.Second); return err }},
		{[]string{"update", "/cmp/m", "v2"}, func() error { _, err := c.Update(ctx, "/cmp/m", "v2", 0); return err }},
		{[]string{"mkdir", "--ttl", "10", "/cmp/d"}, func() error { _, err := c.Mkdir(ctx, "/cmp/d", 10*time.Second); return err }},
		{[]string{"updatedir", "--ttl", "20", "/cmp/d"}, func() error { _, err := c.UpdateDir(ctx, "/cmp/d", 20*time.Second); return err }},
		{[]string{"setdir", "/cmp/sd"}, func() error { _, err := c.SetDir(ctx, "/cmp/sd", 0); return err }},
		{[]string{"rmdir", "/cmp/sd"}, func() error { _, err := c.Delete(ctx, "/cmp/sd", &DeleteOptions{Dir: true}); return err }},
		{[]string{"rm", "--with-value", "v2", "/cmp/m"}, func() error { _, err := c.CompareAndDelete(ctx, "/cmp/m", "v2", 0); return err }},
		{[]string{"rm", "-r", "--dir", "/cmp/d"}, func() error {
			_, err := c.Delete(ctx, "/cmp/d", &DeleteOptions{Dir: true, Recursive: true})
			return err
		}},
		{[]string{"watch", "--after-index", fmt.Sprint(first - 1), "/cmp/w"}, func() error {
			_, err := c.Watcher("/cmp/w", &WatchOptions{AfterIndex: first - 1}).Next(ctx)
			return err
		}},
		{[]string{"member", "list"}, func() error {
			_, err := c.Members(ctx)
			_, err2 := c.Leader(ctx)
			return errors.Join(err, err2)
		}},
		{[]string{"user", "add", "carol:pw"}, func() error { return c.AddUser(ctx, "carol", "pw") }},
		{[]string{"role", "add", "r2"}, func() error { // etcdctl checks that the role is new first
			_, err := c.GetRole(ctx, "r2")
			return errors.Join(err, c.AddRole(ctx, "r2"))
		}},
		{[]string{"role", "grant", "r2", "--path", "/x/*", "--rw"}, func() error {
			_, err := c.GetRole(ctx, "r2")
			_, err2 := c.GrantRole(ctx, "r2", Permissions{KV: RWPermission{Read: []string{"/x/*"}, Write: []string{"/x/*"}}})
			return errors.Join(err, err2)
		}},
		{[]string{"user", "grant", "carol", "--roles", "r2"}, func() error { return c.GrantUserRoles(ctx, "carol", []string{"r2"}) }},
		{[]string{"user", "revoke", "carol", "--roles", "r2"}, func() error { return c.RevokeUserRoles(ctx, "carol", []string{"r2"}) }},
		{[]string{"user", "get", "carol"}, func() error { _, err := c.GetUser(ctx, "carol"); return err }},
		{[]string{"user", "remove", "carol"}, func() error { return c.RemoveUser(ctx, "carol") }},
		{[]string{"role", "remove", "r2"}, func() error { return c.RemoveRole(ctx, "r2") }},
		{[]string{"user", "list"}, func() error { _, err := c.Users(ctx); return err }},
		{[]string{"role", "list"}, func() error { _, err := c.Roles(ctx); return err }},
	}
}

// curlLines picks the "cURL Command: " lines out of etcdctl --debug output.
func curlLines(stderr string) []string {
	var out []string
	for _, l := range strings.Split(stderr, "\n") {
		if s, ok := strings.CutPrefix(l, "cURL Command: "); ok {
			out = append(out, s)
		}
	}
	return out
}

// etcdSameJSON: json.Marshal of the client's Response is what etcdctl
// -o json prints for the same read.
func etcdSameJSON(t *testing.T, c *Client, e *etcdtest.Member) {
	ctx := context.Background()
	ok(t)(c.Set(ctx, "/js/d/e/f", "z", nil))
	ok(t)(c.Set(ctx, "/js/k", "v", nil))
	for _, args := range [][]string{{"get", "/js/k"}, {"ls", "-r", "--sort", "/js"}} {
		etcdtest.RequireEtcdctl(t)
		ctlCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		out, stderr, code := etcdtest.Etcdctl(ctlCtx, e.ClientURL, append([]string{"--no-sync", "-o", "json"}, args...)...)
		cancel()
		if code != 0 {
			t.Fatalf("etcdctl %v: %s", args, stderr)
		}
		r := ok(t)(c.Get(ctx, args[len(args)-1], &GetOptions{Recursive: args[0] == "ls", Sorted: true}))
		got, _ := json.Marshal(r)
		if string(got) != strings.TrimSpace(out) {
			t.Errorf("etcdctl -o json %v printed\n %s\nthe client's Response encodes as\n %s", args, out, got)
		}
	}
}

// etcdHistoryCleared writes past etcd's 1000-event history and shows the
// watch error is typed, carries the current index, and that re-syncing as
// the API docs say works.
func etcdHistoryCleared(t *testing.T, c *Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	start := ok(t)(c.Set(ctx, "/hist/k", "0", nil)).Node.ModifiedIndex
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Go(func() {
			for i := range 65 {
				if _, err := c.Set(ctx, fmt.Sprintf("/hist/g%d", g), fmt.Sprint(i), nil); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	_, err := c.Watcher("/hist/k", &WatchOptions{AfterIndex: start - 1}).Next(ctx)
	var e *Error
	if !IsEventIndexCleared(err) || !errors.As(err, &e) || e.StatusCode != 400 || e.Index < start+1000 {
		t.Fatalf("watch from a cleared index: %#v", err)
	}
	// Re-sync: read, then watch from the read's index + 1.
	r := ok(t)(c.Get(ctx, "/hist/k", nil))
	w := c.Watcher("/hist/k", &WatchOptions{AfterIndex: r.Index})
	ok(t)(c.Set(ctx, "/hist/k", "after", nil))
	if ev, err := w.Next(ctx); err != nil || ev.Node.Value != "after" {
		t.Errorf("watch after re-sync: %+v, %v", ev, err)
	}
}

func etcdAuth(t *testing.T, c *Client, e *etcdtest.Member) {
	ctx := context.Background()
	for _, step := range []error{
		c.AddUser(ctx, "root", "rootpw"),
		c.AddUser(ctx, "bob", "bobpw"),
		c.AddRole(ctx, "app"),
	} {
		if step != nil {
			t.Fatal(step)
		}
	}
	role, err := c.GrantRole(ctx, "app", Permissions{KV: RWPermission{Read: []string{"/app/*"}, Write: []string{"/app/*"}}})
	if err != nil || role.Permissions.KV.Read[0] != "/app/*" {
		t.Fatalf("grant role: %+v, %v", role, err)
	}
	if err := c.GrantUserRoles(ctx, "bob", []string{"app"}); err != nil {
		t.Fatal(err)
	}
	if u, err := c.GetUser(ctx, "bob"); err != nil || len(u.Roles) != 1 || u.Roles[0].Name != "app" {
		t.Errorf("get user: %+v, %v", u, err)
	}
	if err := c.EnableAuth(ctx); err != nil {
		t.Fatal(err)
	}
	root := newTestClient(t, Config{Endpoints: []string{e.ClientURL}, Username: "root", Password: "rootpw"})
	defer func() {
		if err := root.DisableAuth(ctx); err != nil {
			t.Errorf("disable auth: %v", err)
		}
	}()
	if on, err := c.AuthEnabled(ctx); err != nil || !on {
		t.Errorf("auth enabled: %v, %v", on, err)
	}
	bob := newTestClient(t, Config{Endpoints: []string{e.ClientURL}, Username: "bob", Password: "bobpw"})
	ok(t)(bob.Set(ctx, "/app/x", "1", nil))
	if _, err := bob.Set(ctx, "/other", "1", nil); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("bob outside his role: %v", err)
	}
	wrong := newTestClient(t, Config{Endpoints: []string{e.ClientURL}, Username: "bob", Password: "nope"})
	if _, err := wrong.Get(ctx, "/app/x", nil); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("wrong password: %v", err)
	}
	if err := c.DisableAuth(ctx); err == nil || err.Error() != "Insufficient credentials" {
		t.Errorf("anonymous disable: %v", err)
	}
	if users, err := root.Users(ctx); err != nil || len(users) != 2 {
		t.Errorf("users: %+v, %v", users, err)
	}
	if roles, err := root.Roles(ctx); err != nil || len(roles) < 2 {
		t.Errorf("roles: %+v, %v", roles, err)
	}
}
