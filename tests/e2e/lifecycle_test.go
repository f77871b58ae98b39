package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The cluster's lifecycle with the real binaries, as an operator runs it
// (docs/operations.md, "Adding and removing members" and "Disaster
// recovery"): skiffctl member add, then skiff started with exactly the
// SKIFF_* lines it printed; skiffctl backup, then skiff --force-new-cluster.

// buildCtl builds cmd/skiffctl into a temporary directory.
func buildCtl(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "skiffctl")
	out, err := exec.Command("go", "build", "-o", bin, "skiff/cmd/skiffctl").CombinedOutput()
	if err != nil {
		t.Fatalf("go build skiff/cmd/skiffctl: %v\n%s", err, out)
	}
	return bin
}

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

// startRaw starts bin with exactly args and env added to this process's
// environment, its output going to log; it returns a proc for waitUp and
// kill.
func startRaw(t *testing.T, bin, name, client, logPath string, env []string, args ...string) *proc {
	t.Helper()
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{name: name, client: client, log: f, bin: bin}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = f, f
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	p.exited = make(chan struct{})
	go func() { p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { p.kill(); f.Close() })
	return p
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
func logsContain(ps []*proc, s string) bool {
	for _, p := range ps {
		if b, err := os.ReadFile(p.log.Name()); err == nil && strings.Contains(string(b), s) {
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
	bin, ctl := buildSkiff(t), buildCtl(t)
	dir := t.TempDir()
	ps := procs(t, bin, dir, 3)
	ep := ps[0].url()
	// skiffctl syncs the member list first: wait until every member has
	// published its client URLs (a fresh etcd member is the same).
	eventually(t, "the three members have published themselves", func() bool {
		ids, _ := membersOf(t, ep)
		return len(ids) == 3 && !slicesHasValue(ids, "")
	})
	ctlRun(t, ctl, ep, "set", "/before", "1")
	oldIDs, oldCluster := membersOf(t, ep)

	peer, client := freeAddr(t), freeAddr(t)
	out := ctlRun(t, ctl, ep, "member", "add", "m4", "http://"+peer)
	env := skiffEnv(t, out)
	m4 := startRaw(t, bin, "m4", client, filepath.Join(dir, "m4.log"), env,
		"--data-dir", filepath.Join(dir, "m4"),
		"--listen-peer-urls", "http://"+peer, "--initial-advertise-peer-urls", "http://"+peer,
		"--listen-client-urls", "http://"+client, "--advertise-client-urls", "http://"+client,
		"--heartbeat-interval", "50", "--election-timeout", "500")
	m4.waitUp(t)
	eventually(t, "member list shows m4 started", func() bool {
		return strings.Contains(ctlRun(t, ctl, ep, "member", "list"), "name=m4 peerURLs=http://"+peer+" clientURLs=http://"+client)
	})
	eventually(t, "the leader promotes m4", func() bool { return logsContain(ps, "promoting a learner that caught up") })
	ctlRun(t, ctl, m4.url(), "set", "/via-m4", "2")
	if got := ctlRun(t, ctl, ep, "get", "/via-m4"); got != "2\n" {
		t.Fatalf("get /via-m4 through m1: %q", got)
	}

	// Disaster recovery from m1's data dir alone.
	for _, p := range append(ps, m4) {
		p.kill()
	}
	backup := filepath.Join(dir, "backup")
	ctlRun(t, ctl, ep, "backup", "--data-dir", ps[0].dir, "--backup-dir", backup)
	rpeer, rclient := freeAddr(t), freeAddr(t)
	r := startRaw(t, bin, "r1", rclient, filepath.Join(dir, "r1.log"), nil,
		"--name", "r1", "--data-dir", backup, "--force-new-cluster",
		"--listen-peer-urls", "http://"+rpeer, "--initial-advertise-peer-urls", "http://"+rpeer,
		"--listen-client-urls", "http://"+rclient, "--advertise-client-urls", "http://"+rclient,
		"--heartbeat-interval", "50", "--election-timeout", "500")
	r.waitUp(t)
	eventually(t, "the restored member has published itself", func() bool {
		return logsContain([]*proc{r}, "published member attributes")
	})
	// skiffctl syncs the member list before the read: as soon as r1 has
	// published, it must find r1's client URL there (the forced start fixes
	// the member records before it publishes).
	for key, want := range map[string]string{"/before": "1\n", "/via-m4": "2\n"} {
		if got := ctlRun(t, ctl, r.url(), "get", key); got != want {
			t.Fatalf("get %s after the restore: %q, want %q", key, got, want)
		}
	}
	ids, cluster := membersOf(t, r.url())
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
	ctlRun(t, ctl, r.url(), "set", "/after-restore", "3")
}

func slicesHasValue(m map[string]string, v string) bool {
	for _, x := range m {
		if x == v {
			return true
		}
	}
	return false
}
