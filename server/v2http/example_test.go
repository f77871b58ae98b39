package v2http_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"skiff/server/membership"
	"skiff/server/v2http"
	"skiff/store"
)

// instantMember is the smallest Server: a single member whose "raft" applies
// each write to its store at once. The real one is in package server.
type instantMember struct{ st *store.Store }

func (m instantMember) Do(_ context.Context, r *store.Request) (*store.Event, error) {
	return m.st.Apply(r)
}
func (m instantMember) LinearizableRead(context.Context) error { return nil }
func (m instantMember) Store() *store.Store                    { return m.st }
func (m instantMember) ClusterID() membership.ID               { return 0xc6211d4781154b9b }
func (m instantMember) ID() membership.ID                      { return 1 }
func (m instantMember) RaftIndexTerm() (uint64, uint64)        { return 1, 1 }
func (m instantMember) Leader() (membership.ID, bool)          { return 1, true }
func (m instantMember) Members() []membership.Member           { return nil }
func (m instantMember) AddMember(context.Context, []string) (membership.Member, error) {
	return membership.Member{}, v2http.ErrReconfigRefused
}
func (m instantMember) RemoveMember(context.Context, membership.ID) error {
	return v2http.ErrMemberNotFound
}
func (m instantMember) UpdateMember(context.Context, membership.ID, []string) error {
	return v2http.ErrMemberNotFound
}
func (m instantMember) SelfStats() any           { return struct{}{} }
func (m instantMember) LeaderStats() (any, bool) { return nil, false }

// ExampleNew serves the v2 API over a member and sets a key, as
// `curl -XPUT http://127.0.0.1:2379/v2/keys/message -d value="Hello world"`.
func ExampleNew() {
	h, err := v2http.New(v2http.Config{Server: instantMember{st: store.New()}})
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	body := strings.NewReader(url.Values{"value": {"Hello world"}}.Encode())
	req, _ := http.NewRequest("PUT", srv.URL+"/v2/keys/message", body)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status, resp.Header.Get("X-Etcd-Index"))
	fmt.Print(string(b))
	// Output:
	// 201 Created 1
	// {"action":"set","node":{"key":"/message","value":"Hello world","modifiedIndex":1,"createdIndex":1}}
}
