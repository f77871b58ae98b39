package client

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestNewRejectsBadConfig: each bad setting gets an error naming it.
func TestNewRejectsBadConfig(t *testing.T) {
	cases := map[string]struct {
		cfg  Config
		want string
	}{
		"no endpoints":        {Config{}, "no endpoints"},
		"no scheme":           {Config{Endpoints: []string{"127.0.0.1:22379"}}, `first path segment in URL cannot contain colon`},
		"ftp":                 {Config{Endpoints: []string{"ftp://h:1"}}, "http:// or https://"},
		"no host":             {Config{Endpoints: []string{"http://"}}, "no host"},
		"query":               {Config{Endpoints: []string{"http://h:1/?a=b"}}, "query"},
		"negative header":     {Config{Endpoints: []string{"http://h:1"}, HeaderTimeout: -time.Second}, "HeaderTimeout"},
		"negative total":      {Config{Endpoints: []string{"http://h:1"}, TotalTimeout: -time.Second}, "TotalTimeout"},
		"password, no user":   {Config{Endpoints: []string{"http://h:1"}, Password: "x"}, "Username"},
		"second one is wrong": {Config{Endpoints: []string{"http://h:1", "h:2"}}, "http:// or https://"},
	}
	for name, tc := range cases {
		c, err := New(tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New = %v, %v; want an error containing %q", name, c, err, tc.want)
		}
	}
	// etcdctl prints the url.Error of a malformed endpoint verbatim.
	_, err := New(Config{Endpoints: []string{"127.0.0.1:22379"}})
	var ue *url.Error
	if !errors.As(err, &ue) || ue.Error() != `parse "127.0.0.1:22379": first path segment in URL cannot contain colon` {
		t.Errorf("malformed endpoint: %v does not wrap the url.Error", err)
	}
}

// TestSetEndpointsReplacesTheListAndPin: the pinned endpoint becomes the
// first of the new list; a bad list changes nothing.
func TestSetEndpointsReplacesTheListAndPin(t *testing.T) {
	c := newTestClient(t, Config{Endpoints: []string{"http://a:1"}})
	if err := c.SetEndpoints([]string{"http://b:2", "https://c:3"}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Endpoints(), ","); got != "http://b:2,https://c:3" {
		t.Errorf("Endpoints = %s", got)
	}
	if c.Pinned() != "http://b:2" {
		t.Errorf("Pinned = %s", c.Pinned())
	}
	if err := c.SetEndpoints(nil); !errors.Is(err, ErrNoEndpoints) {
		t.Errorf("SetEndpoints(nil) = %v", err)
	}
	if len(c.Endpoints()) != 2 {
		t.Error("a refused SetEndpoints changed the list")
	}
}
