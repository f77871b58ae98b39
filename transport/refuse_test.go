package transport

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"skiff/raft/raftpb"
)

// rawPost sends a request to a raft endpoint with the given headers.
func rawPost(t *testing.T, url string, headers map[string]string, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	client := &http.Client{}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.WriteString(string(buf[:n]))
		if err != nil {
			break
		}
	}
	return resp, b.String()
}

func goodHeaders(from, to uint64) map[string]string {
	return map[string]string{headerClusterID: formatID(testClusterID), headerFrom: formatID(from), headerTo: formatID(to)}
}

// TestClusterIDMismatchIsRefused: a member of another cluster is refused
// with 412, both IDs named, and the sender's stream never becomes active.
func TestClusterIDMismatchIsRefused(t *testing.T) {
	checkGoroutines(t)
	a := startMember(t, 1, "", func(c *Config) { c.ClusterID = 0xdc50b8daae93b3e0 })
	b := startMember(t, 2, "", nil)
	a.tr.AddPeer(2, []string{b.url})
	a.tr.Send([]raftpb.Message{{Type: raftpb.MsgHeartbeat, From: 1, To: 2}})
	waitFor(t, "a failed attempt", func() bool { return a.tr.Stats()[2].StreamFailures > 0 })
	if a.tr.IsActive(2) {
		t.Fatal("stream to a member of another cluster is active")
	}
	select {
	case m := <-b.raft.msgs:
		t.Fatalf("b accepted %s from another cluster", describe(&m))
	default:
	}

	h := goodHeaders(1, 2)
	h[headerClusterID] = "dc50b8daae93b3e0"
	resp, body := rawPost(t, b.url+StreamPath, h, "")
	if resp.StatusCode != http.StatusPreconditionFailed || !strings.Contains(body, "cluster ID mismatch") ||
		!strings.Contains(body, "dc50b8daae93b3e0") || !strings.Contains(body, formatID(testClusterID)) {
		t.Fatalf("got %s %q, want 412 naming both cluster IDs", resp.Status, body)
	}
	if got := resp.Header.Get(headerClusterID); got != formatID(testClusterID) {
		t.Fatalf("%s = %q, want %x", headerClusterID, got, testClusterID)
	}
}

// TestRefusalErrorsSayWhy: refusals come back to the sender as errors that
// name the cause and match the exported sentinels.
func TestRefusalErrorsSayWhy(t *testing.T) {
	checkGoroutines(t)
	var removedBy atomic.Uint64
	a := startMember(t, 1, "", func(c *Config) {
		c.ClusterID = 0xabc
		c.LocalRemoved = func(peer uint64) { removedBy.Store(peer) }
	})
	b := startMember(t, 2, "", nil)
	c := startMember(t, 3, "", func(c *Config) { c.IsRemoved = func(id uint64) bool { return id == 4 } })

	a.tr.AddPeer(2, []string{b.url})
	err := a.tr.peer(2).connectAndStream()
	if !errors.Is(err, ErrClusterIDMismatch) || !strings.Contains(err.Error(), "abc") {
		t.Fatalf("got %v, want ErrClusterIDMismatch naming cluster abc", err)
	}

	d := startMember(t, 4, "", func(c *Config) { c.LocalRemoved = func(peer uint64) { removedBy.Store(peer) } })
	d.tr.AddPeer(3, []string{c.url})
	err = d.tr.peer(3).connectAndStream()
	if !errors.Is(err, ErrMemberRemoved) {
		t.Fatalf("got %v, want ErrMemberRemoved", err)
	}
	if removedBy.Load() != 3 {
		t.Fatalf("LocalRemoved called with %x, want 3", removedBy.Load())
	}
}

// TestBadRequestsAreRefusedClearly: missing headers, a wrong recipient and
// a garbage stream are answered or closed with a reason, never a panic.
func TestBadRequestsAreRefusedClearly(t *testing.T) {
	checkGoroutines(t)
	b := startMember(t, 2, "", nil)
	cases := []struct {
		name    string
		headers map[string]string
		status  int
		text    string
	}{
		{"no headers", map[string]string{}, http.StatusBadRequest, headerClusterID},
		{"bad sender", map[string]string{headerClusterID: formatID(testClusterID), headerFrom: "zz"}, http.StatusBadRequest, headerFrom},
		{"wrong recipient", goodHeaders(1, 9), http.StatusPreconditionFailed, "to field mismatch"},
	}
	for _, tc := range cases {
		resp, body := rawPost(t, b.url+StreamPath, tc.headers, "")
		if resp.StatusCode != tc.status || !strings.Contains(body, tc.text) {
			t.Errorf("%s: got %s %q, want %d mentioning %q", tc.name, resp.Status, body, tc.status, tc.text)
		}
	}
	// A stream of garbage is accepted, then dropped when a frame fails to
	// decode; nothing reaches raft.
	resp, _ := rawPost(t, b.url+StreamPath, goodHeaders(1, 2), "\x05hello\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("garbage stream: got %s", resp.Status)
	}
	resp, body := rawPost(t, b.url+SnapshotPath, goodHeaders(1, 2), "garbage")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "decoding") {
		t.Fatalf("garbage snapshot: got %s %q", resp.Status, body)
	}
	select {
	case m := <-b.raft.msgs:
		t.Fatalf("garbage produced %s", describe(&m))
	case <-time.After(50 * time.Millisecond):
	}
}
