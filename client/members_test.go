package client

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"
)

// TestMembersAPIRequestsAndAnswers: each members call sends what etcdctl
// member list/add/update/remove sends and decodes the contract's answers
// (§3; request bodies from etcdctl --debug).
func TestMembersAPIRequestsAndAnswers(t *testing.T) {
	ctx := context.Background()
	list := `{"members":[{"id":"77f41cbd71028a3a","name":"n1","peerURLs":["http://127.0.0.1:12380"],"clientURLs":["http://127.0.0.1:12379"]},` +
		`{"id":"cf34a71f34619197","name":"","peerURLs":["http://127.0.0.1:43380"],"clientURLs":[]}]}`
	f := newFake(t, answer(http.StatusOK, list))
	c := newTestClient(t, Config{Endpoints: []string{f.URL}})
	ms, err := c.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []Member{
		{ID: "77f41cbd71028a3a", Name: "n1", PeerURLs: []string{"http://127.0.0.1:12380"}, ClientURLs: []string{"http://127.0.0.1:12379"}},
		{ID: "cf34a71f34619197", PeerURLs: []string{"http://127.0.0.1:43380"}, ClientURLs: []string{}},
	}
	if !reflect.DeepEqual(ms, want) {
		t.Errorf("Members = %+v", ms)
	}
	if r := f.last(t); r.Method != "GET" || r.Path != "/v2/members" || r.Body != "" {
		t.Errorf("list sent %+v", r)
	}

	one := `{"id":"cf34a71f34619197","name":"","peerURLs":["http://127.0.0.1:43380"],"clientURLs":[]}`
	f.setReply(answer(http.StatusCreated, one))
	m, err := c.AddMember(ctx, []string{"http://127.0.0.1:43380"})
	if err != nil || m.ID != "cf34a71f34619197" {
		t.Fatalf("AddMember = %+v, %v", m, err)
	}
	wantAdd := seen{Method: "POST", Path: "/v2/members", Body: `{"peerURLs":["http://127.0.0.1:43380"]}`, ContentType: "application/json"}
	if r := f.last(t); r != wantAdd {
		t.Errorf("add sent %+v", r)
	}

	f.setReply(answer(http.StatusOK, one))
	if m, err := c.Leader(ctx); err != nil || m.ID != "cf34a71f34619197" || f.last(t).Path != "/v2/members/leader" {
		t.Errorf("Leader = %+v, %v (sent %+v)", m, err, f.last(t))
	}

	f.setReply(answer(http.StatusNoContent, ""))
	if err := c.UpdateMember(ctx, "cf34a71f34619197", []string{"http://a:1", "http://b:2"}); err != nil {
		t.Fatal(err)
	}
	wantUpdate := seen{Method: "PUT", Path: "/v2/members/cf34a71f34619197", Body: `{"peerURLs":["http://a:1","http://b:2"]}`, ContentType: "application/json"}
	if r := f.last(t); r != wantUpdate {
		t.Errorf("update sent %+v", r)
	}
	if err := c.RemoveMember(ctx, "cf34a71f34619197"); err != nil {
		t.Fatal(err)
	}
	if r := f.last(t); r != (seen{Method: "DELETE", Path: "/v2/members/cf34a71f34619197"}) {
		t.Errorf("remove sent %+v", r)
	}
}

// TestMembersErrorsCarryTheMessage: 404, 409 and 410 come back as *Error
// with the server's message, which etcdctl prints alone.
func TestMembersErrorsCarryTheMessage(t *testing.T) {
	cases := []struct {
		status int
		body   string
		call   func(*Client) error
	}{
		{404, `{"message":"No such member: 1234"}`, func(c *Client) error { return c.RemoveMember(context.Background(), "1234") }},
		{410, `{"message":"Member permanently removed: 1234"}`, func(c *Client) error { return c.RemoveMember(context.Background(), "1234") }},
		{409, `{"message":"membership: peerURL exists"}`, func(c *Client) error {
			_, err := c.AddMember(context.Background(), []string{"http://x:1"})
			return err
		}},
		{415, `{"message":"Bad Content-Type application/x-www-form-urlencoded, accept application/json"}`, func(c *Client) error {
			return c.UpdateMember(context.Background(), "1", []string{"http://x:1"})
		}},
	}
	for _, tc := range cases {
		f := newFake(t, answer(tc.status, tc.body))
		c := newTestClient(t, Config{Endpoints: []string{f.URL}})
		err := tc.call(c)
		var e *Error
		if !errors.As(err, &e) || e.StatusCode != tc.status || "{\"message\":\""+e.Error()+"\"}" != tc.body {
			t.Errorf("%d: err = %v", tc.status, err)
		}
	}
}

// TestLeaderDuringElectionIsUnavailable: /v2/members/leader says 503 while
// there is no leader; like any 5xx that is "no answer" (etcd's client too).
func TestLeaderDuringElectionIsUnavailable(t *testing.T) {
	f := newFake(t, answer(http.StatusServiceUnavailable, `{"message":"During election"}`))
	c := newTestClient(t, Config{Endpoints: []string{f.URL}})
	if _, err := c.Leader(context.Background()); !errors.Is(err, ErrClusterUnavailable) {
		t.Errorf("Leader = %v, want a cluster error", err)
	}
}
