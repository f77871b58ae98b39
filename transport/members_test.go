package transport

import (
	"context"
	"io"
	"net/http"
	"reflect"
	"testing"
)

// TestMembersAndVersionMatchEtcd: /members and /version answer with etcd's
// JSON, byte for byte, and FetchMembers reads back the list and cluster ID.
func TestMembersAndVersionMatchEtcd(t *testing.T) {
	checkGoroutines(t)
	members := []Member{
		{ID: 13668033151171901709, PeerURLs: []string{"http://127.0.0.1:23801"}, Name: "default",
			ClientURLs: []string{"http://127.0.0.1:23791"}},
		{ID: 0x77f41cbd71028a3a, PeerURLs: []string{"http://127.0.0.1:12380"}}, // not started yet
	}
	a := startMember(t, 1, "", func(c *Config) { c.Members = func() []Member { return members } })
	client := &http.Client{}
	defer client.CloseIdleConnections()

	// Recorded from etcd 3.4.23: curl http://127.0.0.1:23801/members
	want := `[{"id":13668033151171901709,"peerURLs":["http://127.0.0.1:23801"],"name":"default","clientURLs":["http://127.0.0.1:23791"]},` +
		`{"id":8643565184801212986,"peerURLs":["http://127.0.0.1:12380"]}]`
	resp, err := client.Get(a.url + MembersPath)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != want || resp.Header.Get("Content-Type") != "application/json" ||
		resp.Header.Get("X-Etcd-Cluster-Id") != "998d851d58177d55" {
		t.Fatalf("GET /members: %s %q %v", resp.Status, body, resp.Header)
	}

	cid, got, err := FetchMembers(context.Background(), client, a.url)
	if err != nil || cid != testClusterID || !reflect.DeepEqual(got, members) {
		t.Fatalf("FetchMembers = %x, %+v, %v", cid, got, err)
	}
	v, err := FetchVersion(context.Background(), client, a.url)
	if err != nil || v != DefaultVersion {
		t.Fatalf("FetchVersion = %+v, %v", v, err)
	}
	resp, err = client.Get(a.url + VersionPath)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != `{"etcdserver":"3.4.23","etcdcluster":"3.4.0"}` {
		t.Fatalf("GET /version: %q", body)
	}
	resp, err = client.Post(a.url+MembersPath, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST /members: %s, want 405", resp.Status)
	}
}

// TestFetchMembersErrors: a peer that is not a skiff or etcd member gives a
// clear error.
func TestFetchMembersErrors(t *testing.T) {
	checkGoroutines(t)
	a := startMember(t, 1, "", nil)
	client := &http.Client{}
	defer client.CloseIdleConnections()
	if _, _, err := FetchMembers(context.Background(), client, a.url+"/nowhere"); err == nil {
		t.Fatal("FetchMembers of a 404 succeeded")
	}
	if _, _, err := FetchMembers(context.Background(), client, "http://%zz"); err == nil {
		t.Fatal("FetchMembers of a bad URL succeeded")
	}
}
