package e2e

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"skiff/internal/etcdtest"
)

// The cluster's lifecycle with the real binaries, as an operator runs it
// (docs/operations.md, "Adding and removing members" and "Disaster
// recovery"): skiffctl member add, then skiff started with exactly the
// SKIFF_* lines it printed; skiffctl backup, then skiff --force-new-cluster.

// ctlRun runs skiffctl against endpoint and returns its stdout; a non-zero
// exit fails the test.
func ctlRun(t *testing.T, ctl, endpoint string, args ...string) string {
	t.Helper()
	cmd := exec.Command(ctl, append([]string{"--endpoints", endpoint}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("skiffctl %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}

// startWith starts one member of bin with exactly the flags args returns
// for it (its URLs are chosen on free ports), env added to its
// environment, and returns it once its /health says true.
func startWith(t *testing.T, bin string, env []string, args func(m *etcdtest.Member) []string) *etcdtest.Member {
	t.Helper()
	return etcdtest.Start(t, etcdtest.Binary(bin), etcdtest.Env(env...), etcdtest.CommandLine(args),
		etcdtest.Flags("--heartbeat-interval", "50", "--election-timeout", "500"))
}

// listenFlags are the flags that put m on its chosen URLs.
func listenFlags(m *etcdtest.Member) []string {
	return []string{"--listen-peer-urls", m.PeerURL, "--initial-advertise-peer-urls", m.PeerURL,
		"--listen-client-urls", m.ClientURL, "--advertise-client-urls", m.ClientURL}
}

// skiffEnv picks the NAME=value lines skiffctl member add prints (values
// quoted as Go strings).
func skiffEnv(t *testing.T, out string) []string {
	t.Helper()
	var env []string
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok || !strings.HasPrefix(k, "SKIFF_") {
			continue
		}
		uv, err := strconv.Unquote(v)
		if err != nil {
			t.Fatalf("member add printed %q, not a quoted value", line)
		}
		env = append(env, k+"="+uv)
	}
	if len(env) != 3 {
		t.Fatalf("member add printed %d SKIFF_ lines, want 3:\n%s", len(env), out)
	}
	return env
}

// logsContain reports whether one of the processes' logs has s.
func logsContain(ps []*etcdtest.Member, s string) bool {
	for _, p := range ps {
		if strings.Contains(p.Log(), s) {
			return true
		}
	}
	return false
}

// eventually polls cond every 50 ms for up to 20 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

// membersOf reads GET /v2/members and the cluster ID header.
func membersOf(t *testing.T, url string) (ids map[string]string, clusterID string) {
	t.Helper()
	resp, err := http.Get(url + "/v2/members")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Members []struct {
			ID, Name string
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	ids = map[string]string{}
	for _, m := range body.Members {
		ids[m.ID] = m.Name
	}
	return ids, resp.Header.Get("X-Etcd-Cluster-Id")
}

// A member added with skiffctl member add and started with exactly the
// three SKIFF_* variables it printed joins the cluster: it publishes its
// name, the leader promotes it from learner to voter, and writes go through
// it. Then skiffctl backup of one member's data dir and skiff
// --force-new-cluster on the copy bring the data back as a one-member
// cluster with a new member ID and cluster ID, which skiffctl (syncing the
// member list first) reads from.
func TestMemberAddEnvJoinsAndBackupRestores(t *testing.T) {
	bin, ctl := etcdtest.BuildSkiff(t), etcdtest.BuildSkiffctl(t)
	ps := etcdtest.StartCluster(t, 3, etcdtest.Binary(bin), etcdtest.Flags("--heartbeat-interval", "50", "--election-timeout", "500"))
	ep := ps[0].ClientURL
	// skiffctl syncs the member list first: wait until every member has
	// published its client URLs (a fresh etcd member is the same).
	eventually(t, "the three members have published themselves", func() bool {
		ids, _ := membersOf(t, ep)
		return len(ids) == 3 && !slicesHasValue(ids, "")
	})
	ctlRun(t, ctl, ep, "set", "/before", "1")
	oldIDs, oldCluster := membersOf(t, ep)

	// The new member's URLs are chosen before member add names them.
	peer := etcdtest.FreeURL(t)
	out := ctlRun(t, ctl, ep, "member", "add", "m4", peer)
	env := skiffEnv(t, out)
	m4 := startWith(t, bin, env, func(m *etcdtest.Member) []string {
		m.PeerURL = peer
		return append([]string{"--data-dir", m.DataDir}, listenFlags(m)...)
	})
	eventually(t, "member list shows m4 started", func() bool {
		return strings.Contains(ctlRun(t, ctl, ep, "member", "list"), "name=m4 peerURLs="+peer+" clientURLs="+m4.ClientURL)
	})
	eventually(t, "the leader promotes m4", func() bool { return logsContain(ps, "promoting a learner that caught up") })
	ctlRun(t, ctl, m4.ClientURL, "set", "/via-m4", "2")
	if got := ctlRun(t, ctl, ep, "get", "/via-m4"); got != "2\n" {
		t.Fatalf("get /via-m4 through m1: %q", got)
	}

	// Disaster recovery from m1's data dir alone.
	for _, p := range append(ps, m4) {
		p.Kill()
	}
	backup := filepath.Join(t.TempDir(), "backup")
	ctlRun(t, ctl, ep, "backup", "--data-dir", ps[0].DataDir, "--backup-dir", backup)
	r := startWith(t, bin, nil, func(m *etcdtest.Member) []string {
		return append([]string{"--name", "r1", "--data-dir", backup, "--force-new-cluster"}, listenFlags(m)...)
	})
	eventually(t, "the restored member has published itself", func() bool {
		return logsContain([]*etcdtest.Member{r}, "published member attributes")
	})
	// skiffctl syncs the member list before the read: as soon as r1 has
	// published, it must find r1's client URL there (the forced start fixes
	// the member records before it publishes).
	for key, want := range map[string]string{"/before": "1\n", "/via-m4": "2\n"} {
		if got := ctlRun(t, ctl, r.ClientURL, "get", key); got != want {
			t.Fatalf("get %s after the restore: %q, want %q", key, got, want)
		}
	}
	ids, cluster := membersOf(t, r.ClientURL)
	if len(ids) != 1 || !slicesHasValue(ids, "r1") {
		t.Fatalf("the restored cluster lists %v, want r1 alone", ids)
	}
	for id := range ids {
		if _, ok := oldIDs[id]; ok {
			t.Fatalf("the restored member kept the old member ID %s", id)
		}
	}
	if cluster == "" || cluster == oldCluster {
		t.Fatalf("the restored cluster has ID %q, the old one %q: want a new one", cluster, oldCluster)
	}
	ctlRun(t, ctl, r.ClientURL, "set", "/after-restore", "3")
}

func slicesHasValue(m map[string]string, v string) bool {
	for _, x := range m {
		if x == v {
			return true
		}
	}
	return false
}
