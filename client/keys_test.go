package client

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

const setReply = `{"action":"set","node":{"key":"/a","value":"1","modifiedIndex":42,"createdIndex":42}}` + "\n"

// TestKeyOperationsSendWhatEtcdctlSends pins each key operation to the exact
// request etcdctl 3.4.23 sends for the same command, as its --debug output
// shows (contract §5.2): method, escaped path, raw query, body, content type.
func TestKeyOperationsSendWhatEtcdctlSends(t *testing.T) {
	f := newFake(t, answer(http.StatusOK, setReply))
	c := newTestClient(t, Config{Endpoints: []string{f.URL}})
	for _, tc := range keyOpCases() {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.call(context.Background(), c); err != nil {
				t.Fatalf("call: %v", err)
			}
			got := f.last(t)
			want := seen{Method: tc.method, Path: tc.path, Query: tc.query, Body: tc.body, ContentType: tc.ctype}
			if got != want {
				t.Errorf("request\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// keyOpCase is a key operation and the request it must send.
type keyOpCase struct {
	name   string
	call   func(context.Context, *Client) (*Response, error)
	method string
	path   string
	query  string
	body   string
	ctype  string
}

// keyOpCases are etcdctl's key commands (named by their command line) with
// the request etcdctl --debug showed for each.
func keyOpCases() []keyOpCase {
	const form = "application/x-www-form-urlencoded"
	return []keyOpCase{
		{"get", func(ctx context.Context, c *Client) (*Response, error) { return c.Get(ctx, "/a", nil) },
			"GET", "/v2/keys/a", "quorum=false&recursive=false&sorted=false", "", ""},
		{"ls -r --sort /", func(ctx context.Context, c *Client) (*Response, error) {
			return c.Get(ctx, "/", &GetOptions{Recursive: true, Sorted: true})
		}, "GET", "/v2/keys/", "quorum=false&recursive=true&sorted=true", "", ""},
		{"get --quorum", func(ctx context.Context, c *Client) (*Response, error) {
			return c.Get(ctx, "/m", &GetOptions{Quorum: true})
		}, "GET", "/v2/keys/m", "quorum=true&recursive=false&sorted=false", "", ""},
		{"set", func(ctx context.Context, c *Client) (*Response, error) { return c.Set(ctx, "/a", "1", nil) },
			"PUT", "/v2/keys/a", "", "value=1", form},
		{"set --ttl 5 --swap-with-value 1", func(ctx context.Context, c *Client) (*Response, error) {
			return c.Set(ctx, "/a", "2", &SetOptions{TTL: 5 * time.Second, PrevValue: "1"})
		}, "PUT", "/v2/keys/a", "prevValue=1", "ttl=5&value=2", form},
		{"set escapes the value", func(ctx context.Context, c *Client) (*Response, error) {
			return c.Set(ctx, "/s", "a&b=c", nil)
		}, "PUT", "/v2/keys/s", "", "value=a%26b%3Dc", form},
		{"set with every option", func(ctx context.Context, c *Client) (*Response, error) {
			return c.Set(ctx, "/a", "", &SetOptions{PrevIndex: 7, PrevExist: PrevExists, Refresh: true,
				TTL: 10 * time.Second, NoValueOnSuccess: true})
		}, "PUT", "/v2/keys/a", "noValueOnSuccess=true&prevExist=true&prevIndex=7", "refresh=true&ttl=10&value=", form},
		{"mk", func(ctx context.Context, c *Client) (*Response, error) { return c.Create(ctx, "/m", "v", 0) },
			"PUT", "/v2/keys/m", "prevExist=false", "value=v", form},
		{"mk --in-order", func(ctx context.Context, c *Client) (*Response, error) {
			return c.CreateInOrder(ctx, "/q", "v", 0)
		}, "POST", "/v2/keys/q", "", "value=v", form},
		{"mk --in-order --ttl 30", func(ctx context.Context, c *Client) (*Response, error) {
			return c.CreateInOrder(ctx, "/q", "v", 30*time.Second)
		}, "POST", "/v2/keys/q", "", "ttl=30&value=v", form},
		{"update", func(ctx context.Context, c *Client) (*Response, error) { return c.Update(ctx, "/m", "v2", 0) },
			"PUT", "/v2/keys/m", "prevExist=true", "value=v2", form},
		{"set --swap-with-value 1 --swap-with-index 5", func(ctx context.Context, c *Client) (*Response, error) {
			return c.CompareAndSwap(ctx, "/a", "2", "1", 5)
		}, "PUT", "/v2/keys/a", "prevIndex=5&prevValue=1", "value=2", form},
		{"mkdir --ttl 10", func(ctx context.Context, c *Client) (*Response, error) {
			return c.Mkdir(ctx, "/dd", 10*time.Second)
		}, "PUT", "/v2/keys/dd", "dir=true&prevExist=false", "ttl=10", form},
		{"mkdir", func(ctx context.Context, c *Client) (*Response, error) { return c.Mkdir(ctx, "/dd", 0) },
			"PUT", "/v2/keys/dd", "dir=true&prevExist=false", "", form},
		{"setdir", func(ctx context.Context, c *Client) (*Response, error) { return c.SetDir(ctx, "/sd", 0) },
			"PUT", "/v2/keys/sd", "dir=true", "", form},
		{"updatedir --ttl 5", func(ctx context.Context, c *Client) (*Response, error) {
			return c.UpdateDir(ctx, "/dd", 5*time.Second)
		}, "PUT", "/v2/keys/dd", "dir=true&prevExist=true", "ttl=5", form},
		{"rm", func(ctx context.Context, c *Client) (*Response, error) { return c.Delete(ctx, "/a", nil) },
			"DELETE", "/v2/keys/a", "", "", ""},
		{"rm -r --dir", func(ctx context.Context, c *Client) (*Response, error) {
			return c.Delete(ctx, "/dd", &DeleteOptions{Dir: true, Recursive: true})
		}, "DELETE", "/v2/keys/dd", "dir=true&recursive=true", "", ""},
		{"rmdir", func(ctx context.Context, c *Client) (*Response, error) {
			return c.Delete(ctx, "/sd", &DeleteOptions{Dir: true})
		}, "DELETE", "/v2/keys/sd", "dir=true", "", ""},
		{"rm --with-index 3", func(ctx context.Context, c *Client) (*Response, error) {
			return c.CompareAndDelete(ctx, "/a", "", 3)
		}, "DELETE", "/v2/keys/a", "prevIndex=3", "", ""},
		{"rm --with-value v2", func(ctx context.Context, c *Client) (*Response, error) {
			return c.CompareAndDelete(ctx, "/m", "v2", 0)
		}, "DELETE", "/v2/keys/m", "prevValue=v2", "", ""},
		{"a key with a space is escaped", func(ctx context.Context, c *Client) (*Response, error) {
			return c.Get(ctx, "sp ace", nil)
		}, "GET", "/v2/keys/sp%20ace", "quorum=false&recursive=false&sorted=false", "", ""},
		{"a key is cleaned but keeps its trailing slash", func(ctx context.Context, c *Client) (*Response, error) {
			return c.Get(ctx, "a/../b//c/", nil)
		}, "GET", "/v2/keys/b/c/", "quorum=false&recursive=false&sorted=false", "", ""},
	}
}

// TestEndpointPathIsAPrefix: an endpoint with a path (e.g. behind a proxy)
// keeps it in front of /v2/keys.
func TestEndpointPathIsAPrefix(t *testing.T) {
	f := newFake(t, answer(http.StatusOK, setReply))
	c := newTestClient(t, Config{Endpoints: []string{f.URL + "/etcd/"}})
	if _, err := c.Get(context.Background(), "/a", nil); err != nil {
		t.Fatal(err)
	}
	if got := f.last(t).Path; got != "/etcd/v2/keys/a" {
		t.Errorf("path = %q, want /etcd/v2/keys/a", got)
	}
}

// TestResponseCarriesHeadersAndEndpoint: X-Etcd-Index, X-Raft-Index,
// X-Raft-Term, X-Etcd-Cluster-Id, the status and the answering endpoint.
func TestResponseCarriesHeadersAndEndpoint(t *testing.T) {
	f := newFake(t, answer(http.StatusCreated, setReply))
	c := newTestClient(t, Config{Endpoints: []string{f.URL}})
	resp, err := c.Set(context.Background(), "/a", "1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Index != 42 || resp.RaftIndex != 97 || resp.RaftTerm != 3 || resp.ClusterID != "cdf818194e3a8c32" {
		t.Errorf("headers: index %d raft %d/%d cluster %q", resp.Index, resp.RaftIndex, resp.RaftTerm, resp.ClusterID)
	}
	if resp.StatusCode != http.StatusCreated || resp.Endpoint != f.URL {
		t.Errorf("status %d endpoint %q, want 201 %q", resp.StatusCode, resp.Endpoint, f.URL)
	}
	if resp.Action != "set" || resp.Node == nil || resp.Node.Key != "/a" || resp.Node.Value != "1" ||
		resp.Node.ModifiedIndex != 42 || resp.PrevNode != nil {
		t.Errorf("decoded %+v node %+v", resp, resp.Node)
	}
}

// TestBadArgumentsFailBeforeSending: inputs the API cannot express are
// refused with an error that names them, and nothing is sent.
func TestBadArgumentsFailBeforeSending(t *testing.T) {
	f := newFake(t, answer(http.StatusOK, setReply))
	c := newTestClient(t, Config{Endpoints: []string{f.URL}})
	ctx := context.Background()
	calls := map[string]func() error{
		"negative TTL": func() error { _, err := c.Set(ctx, "/a", "v", &SetOptions{TTL: -time.Second}); return err },
		"sub-second TTL": func() error {
			_, err := c.Create(ctx, "/a", "v", 500*time.Millisecond)
			return err
		},
		"in-order negative TTL": func() error { _, err := c.CreateInOrder(ctx, "/q", "v", -time.Second); return err },
		"bad PrevExist":         func() error { _, err := c.Set(ctx, "/a", "v", &SetOptions{PrevExist: "maybe"}); return err },
		"CAS without condition": func() error { _, err := c.CompareAndSwap(ctx, "/a", "v", "", 0); return err },
		"CAD without condition": func() error { _, err := c.CompareAndDelete(ctx, "/a", "", 0); return err },
		"remove member no id":   func() error { return c.RemoveMember(ctx, "") },
		"add member no URL":     func() error { _, err := c.AddMember(ctx, nil); return err },
	}
	for name, call := range calls {
		if err := call(); err == nil || !strings.HasPrefix(err.Error(), "client: ") {
			t.Errorf("%s: err = %v, want a client: error", name, err)
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests were sent for bad arguments", n)
	}
}
