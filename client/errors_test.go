package client

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

// TestV2ErrorsAreTypedAndMatchable: a keys error body becomes an *Error with
// every field, prints as etcdctl prints it, and matches its sentinel.
func TestV2ErrorsAreTypedAndMatchable(t *testing.T) {
	cases := []struct {
		status   int
		body     string
		sentinel error
		is       func(error) bool
		text     string
	}{
		{404, `{"errorCode":100,"message":"Key not found","cause":"/demo/ctl/missing","index":115346}`,
			ErrKeyNotFound, IsKeyNotFound, "100: Key not found (/demo/ctl/missing) [115346]"},
		{412, `{"errorCode":101,"message":"Compare failed","cause":"[3 != 5]","index":7}`,
			ErrCompareFailed, IsCompareFailed, "101: Compare failed ([3 != 5]) [7]"},
		{412, `{"errorCode":105,"message":"Key already exists","cause":"/m","index":9}`,
			ErrKeyExists, IsKeyExists, "105: Key already exists (/m) [9]"},
		// Contract §10.1: 401 comes with HTTP 400.
		{400, `{"errorCode":401,"message":"The event in requested index is outdated and cleared","cause":"the requested history has been cleared [114325/1]","index":115324}`,
			ErrEventIndexCleared, IsEventIndexCleared,
			"401: The event in requested index is outdated and cleared (the requested history has been cleared [114325/1]) [115324]"},
	}
	for _, tc := range cases {
		f := newFake(t, answer(tc.status, tc.body+"\n"))
		c := newTestClient(t, Config{Endpoints: []string{f.URL}})
		_, err := c.Get(context.Background(), "/k", nil)
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("%s: err %T %v is not an *Error", tc.body, err, err)
		}
		if e.StatusCode != tc.status || e.Error() != tc.text {
			t.Errorf("got status %d text %q, want %d %q", e.StatusCode, e.Error(), tc.status, tc.text)
		}
		if !errors.Is(err, tc.sentinel) || !tc.is(err) || ErrorCode(err) != tc.sentinel.(*Error).Code {
			t.Errorf("%q does not match its sentinel", tc.text)
		}
		if errors.Is(err, ErrClusterUnavailable) {
			t.Errorf("%q claims the cluster is unavailable, but the cluster answered", tc.text)
		}
		if errors.Is(err, ErrRootReadOnly) {
			t.Errorf("%q matches a sentinel of another code", tc.text)
		}
	}
}

// TestNonKeysErrorsKeepTheServersMessage: members/auth/stats errors are
// {"message":...}, plain-text answers keep their text; etcdctl prints the
// message alone for these.
func TestNonKeysErrorsKeepTheServersMessage(t *testing.T) {
	cases := []struct {
		status int
		body   string
		want   string
	}{
		{404, `{"message":"No such member: 1234"}`, "No such member: 1234"},
		{409, `{"message":"auth: already disabled"}`, "auth: already disabled"},
		{405, "Method Not Allowed\n", "Method Not Allowed"},
		{404, "", "Not Found"},
	}
	for _, tc := range cases {
		f := newFake(t, answer(tc.status, tc.body))
		c := newTestClient(t, Config{Endpoints: []string{f.URL}})
		err := c.RemoveMember(context.Background(), "1234")
		var e *Error
		if !errors.As(err, &e) || e.Code != 0 || e.StatusCode != tc.status || e.Error() != tc.want {
			t.Errorf("body %q: got %#v (%v), want message %q", tc.body, e, err, tc.want)
		}
	}
}

// TestClusterErrorTextMatchesEtcdctl: the one-line and detailed forms that
// etcdctl prints when no endpoint answers (contract §5.4).
func TestClusterErrorTextMatchesEtcdctl(t *testing.T) {
	ce := &ClusterError{Errors: []error{
		errors.New("dial tcp 127.0.0.1:1: connect: connection refused"),
		errors.New("dial tcp 127.0.0.1:2: connect: connection refused"),
	}}
	wantErr := "client: etcd cluster is unavailable or misconfigured; error #0: dial tcp 127.0.0.1:1: connect: connection refused\n" +
		"; error #1: dial tcp 127.0.0.1:2: connect: connection refused\n"
	if ce.Error() != wantErr {
		t.Errorf("Error() = %q, want %q", ce.Error(), wantErr)
	}
	wantDetail := "error #0: dial tcp 127.0.0.1:1: connect: connection refused\n" +
		"error #1: dial tcp 127.0.0.1:2: connect: connection refused\n"
	if ce.Detail() != wantDetail {
		t.Errorf("Detail() = %q, want %q", ce.Detail(), wantDetail)
	}
	if !errors.Is(ce, ErrClusterUnavailable) || ErrorCode(ce) != 0 {
		t.Error("a ClusterError must match ErrClusterUnavailable and carry no v2 code")
	}
}

// TestMalformedAnswerIsAnError: a 200 whose body is not a v2 response gives
// an error that quotes the body, not a zero Response.
func TestMalformedAnswerIsAnError(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>proxy</html>")) })
	c := newTestClient(t, Config{Endpoints: []string{f.URL}})
	resp, err := c.Get(context.Background(), "/a", nil)
	if err == nil || resp != nil {
		t.Fatalf("got %+v, %v; want an error", resp, err)
	}
	var e *Error
	if errors.As(err, &e) {
		t.Errorf("a malformed answer must not look like a v2 error: %v", err)
	}
}
