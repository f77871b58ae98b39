package etcdtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestStartOneMember starts a single member: it is healthy, lists itself
// under its own name and URLs, survives a restart with its data, and
// etcdctl reaches it.
func TestStartOneMember(t *testing.T) {
	m := Start(t)
	checkCluster(t, []*Member{m})

	put(t, m.ClientURL+"/v2/keys/kept", "1")
	m.Restart(t)
	if got := get(t, m.ClientURL+"/v2/keys/kept"); !strings.Contains(got, `"value":"1"`) {
		t.Errorf("after a restart GET /v2/keys/kept says %s", got)
	}

	RequireEtcdctl(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	stdout, stderr, exit := Etcdctl(ctx, m.ClientURL, "get", "/kept")
	if stdout != "1\n" || exit != 0 {
		t.Errorf("etcdctl get /kept: stdout %q, stderr %q, exit %d; want \"1\\n\", exit 0", stdout, stderr, exit)
	}
}

// TestStartThreeMembers starts a 3-member cluster: every member is
// healthy and lists all three, with the flags given added to each.
func TestStartThreeMembers(t *testing.T) {
	ms := StartCluster(t, 3, Flags("--heartbeat-interval", "150", "--election-timeout", "1500"))
	checkCluster(t, ms)
	for _, m := range ms {
		if !strings.Contains(m.Log(), "heartbeat = 150ms") {
			t.Errorf("%s's log does not show the heartbeat interval given with Flags", m.Name)
		}
	}
}

// checkCluster checks each member's /health and /v2/members.
func checkCluster(t *testing.T, ms []*Member) {
	t.Helper()
	var want []string
	for _, m := range ms {
		want = append(want, m.Name+" "+m.ClientURL+" "+m.PeerURL)
	}
	slices.Sort(want)
	for _, m := range ms {
		if h := get(t, m.ClientURL+"/health"); !strings.Contains(h, `"health":"true"`) {
			t.Errorf("%s: /health says %s", m.Name, h)
		}
		var list struct {
			Members []struct {
				Name       string
				PeerURLs   []string
				ClientURLs []string
			}
		}
		if err := json.Unmarshal([]byte(get(t, m.ClientURL+"/v2/members")), &list); err != nil {
			t.Fatalf("%s: /v2/members: %v", m.Name, err)
		}
		var got []string
		for _, l := range list.Members {
			got = append(got, l.Name+" "+strings.Join(l.ClientURLs, ",")+" "+strings.Join(l.PeerURLs, ","))
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: /v2/members lists %q, want %q", m.Name, got, want)
		}
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func put(t *testing.T, url, value string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, url, strings.NewReader("value="+value))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT %s: %s", url, resp.Status)
	}
}
