package discovery

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"skiff/server/membership"
	"skiff/server/v2http"
	"skiff/store"
)

// ExampleJoinCluster bootstraps a one-member cluster through a token on a
// v2 key service (here skiff's own API over an in-memory store), as
// `skiff --discovery <url>` does before it builds its initial cluster.
func ExampleJoinCluster() {
	h, _ := v2http.New(v2http.Config{Server: &instantMember{st: store.New()}})
	svc := httptest.NewServer(h)
	defer svc.Close()

	// The operator creates the token: PUT <url>/_config/size value=1.
	durl := svc.URL + "/v2/keys/_etcd/registry/example"
	resp, err := svc.Client().Do(putForm(durl+"/_config/size", "1"))
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()

	// The member: its ID hashes the discovery URL as the cluster token.
	peers := []string{"http://10.0.0.1:2380"}
	id := membership.MemberID(peers, durl, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	initialCluster, err := JoinCluster(ctx, nil, durl, "", id, "infra1", peers)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(initialCluster)
	// Output:
	// infra1=http://10.0.0.1:2380
}

func putForm(u, value string) *http.Request {
	req, _ := http.NewRequest(http.MethodPut, u, strings.NewReader(url.Values{"value": {value}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}
