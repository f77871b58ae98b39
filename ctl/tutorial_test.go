package ctl

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestTutorial is etcd's classic v2 tutorial as a script (contract §5):
// each step's stdout, stderr and exit code are checked against what
// etcdctl prints. It runs against the real etcd and against skiff's server;
// where etcdctl is installed, its watches run against both too.
func TestTutorial(t *testing.T) {
	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			t.Parallel()
			tutorial(t, srv.start(t))
		})
	}
}

// tutorial runs the tutorial against the server at ep.
func tutorial(t *testing.T, ep string) {
	ctl := func(args ...string) result { return runCtl(t, append([]string{"--endpoints", ep}, args...)...) }
	errIndex := regexp.MustCompile(`\[\d+\]\n$`)
	expect := func(res result, stdout, stderr string, code int) {
		t.Helper()
		res.stderr = errIndex.ReplaceAllString(res.stderr, "[N]\n")
		if res.stdout != stdout || res.stderr != stderr || res.code != code {
			t.Errorf("got stdout %q stderr %q exit %d; want %q %q %d", res.stdout, res.stderr, res.code, stdout, stderr, code)
		}
	}

	expect(ctl("set", "/testdir/testkey", "Hello world"), "Hello world\n", "", 0)
	expect(ctl("ls"), "/testdir\n", "", 0)
	expect(ctl("ls", "/testdir"), "/testdir/testkey\n", "", 0)
	expect(ctl("get", "/testdir/testkey"), "Hello world\n", "", 0)
	// A missing key is a server error: its line on stderr, exit 4.
	expect(ctl("get", "/testdir/nokey"), "", "Error:  100: Key not found (/testdir/nokey) [N]\n", 4)
	expect(ctl("update", "/testdir/testkey", "Hello"), "Hello\n", "", 0)
	expect(ctl("rm", "/testdir/testkey"), "PrevNode.Value: Hello\n", "", 0)
	expect(ctl("set", "/testdir/a/b", "x"), "x\n", "", 0)
	// rm -r of a directory prints nothing in simple format.
	expect(ctl("rm", "-r", "/testdir"), "", "", 0)
	expect(ctl("get", "/testdir"), "", "Error:  100: Key not found (/testdir) [N]\n", 4)
	// setdir on an existing directory fails with 102, despite its usage line.
	expect(ctl("setdir", "/dir"), "", "", 0)
	expect(ctl("setdir", "/dir"), "", "Error:  102: Not a file (/dir) [N]\n", 4)
	expect(ctl("mkdir", "/dir"), "", "Error:  105: Key already exists (/dir) [N]\n", 4)

	list := ctl("member", "list")
	if !regexp.MustCompile(`^[0-9a-f]+: name=default peerURLs=http://127\.0\.0\.1:\d+ clientURLs=`+regexp.QuoteMeta(ep)+` isLeader=true\n$`).MatchString(list.stdout) || list.code != 0 {
		t.Errorf("member list: %+v", list)
	}
	health := ctl("cluster-health")
	if !regexp.MustCompile(`^member [0-9a-f]+ is healthy: got healthy result from `+regexp.QuoteMeta(ep)+`\ncluster is healthy\n$`).MatchString(health.stdout) || health.code != 0 {
		t.Errorf("cluster-health: %+v", health)
	}
	t.Run("watch", func(t *testing.T) { tutorialWatch(t, ep) })
	t.Run("exec-watch", func(t *testing.T) { tutorialExecWatch(t, ep) })
}

// currentIndex is the store index (X-Etcd-Index) now.
func currentIndex(t *testing.T, ep string) string {
	t.Helper()
	res := runCtl(t, "--endpoints", ep, "-o", "extended", "ls", "/")
	m := regexp.MustCompile(`(?m)^Index: (\d+)$`).FindStringSubmatch(res.stdout)
	if m == nil {
		t.Fatalf("no index in %+v", res)
	}
	return m[1]
}

// tutorialWatch: a watch prints the first change and exits 0; watch -r -f
// prints "[action] key" before every event until interrupted, then exits 0.
// Watching from the index before the writes makes the test independent of
// when the watch request reaches the server.
func tutorialWatch(t *testing.T, ep string) {
	after := currentIndex(t, ep)
	ctl := func(args ...string) result { return runCtl(t, append([]string{"--endpoints", ep}, args...)...) }
	ctl("set", "/watched/a", "1")
	ctl("rm", "/watched/a")
	ctl("mkdir", "/watched/d")
	ctl("set", "/watched/b", "2")

	res := ctl("watch", "--after-index", after, "/watched/a")
	if res.stdout != "1\n" || res.stderr != "" || res.code != 0 {
		t.Errorf("watch: %+v", res)
	}
	// The directory event is skipped; with -r each event gets a header.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	want := "[set] /watched/a\n1\n[delete] /watched/a\nPrevNode.Value: 1\n[set] /watched/b\n2\n"
	out := &syncBuffer{}
	done := make(chan int)
	go func() {
		done <- Run(ctx, []string{"skiffctl", "--endpoints", ep, "watch", "-f", "-r", "--after-index", after, "/watched"},
			Streams{Stdin: strings.NewReader(""), Stdout: out, Stderr: out})
	}()
	waitFor(t, out, want)
	cancel()
	if code := <-done; code != 0 || out.String() != want {
		t.Errorf("watch -f -r: exit %d, output %q; want 0, %q", code, out.String(), want)
	}
	if _, err := os.Stat(etcdctlBinary); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		real := runEtcdctlContext(ctx, "--endpoints", ep, "watch", "-f", "-r", "--after-index", after, "/watched")
		if real.stdout != want || real.code != 0 {
			t.Errorf("etcdctl watch -f -r printed %q (exit %d); skiffctl printed %q", real.stdout, real.code, want)
		}
	}
}

// tutorialExecWatch: exec-watch runs the command once per event with the
// ETCD_WATCH_* variables, says "Ignored dir <key> change" on stderr for a
// directory, and exits 0 when interrupted.
func tutorialExecWatch(t *testing.T, ep string) {
	after := currentIndex(t, ep)
	ctl := func(args ...string) result { return runCtl(t, append([]string{"--endpoints", ep}, args...)...) }
	ctl("set", "/ew/a", "1")
	ctl("mkdir", "/ew/d")
	ctl("set", "/ew/b", "two words")
	afterN, _ := strconv.Atoi(after)
	// As with etcdctl 3.4, the key must directly follow a flag for the
	// "--" to survive flag parsing (see execWatchArgs).
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errOut := &syncBuffer{}, &syncBuffer{}
	done := make(chan int)
	go func() {
		done <- Run(ctx, []string{"skiffctl", "--endpoints", ep, "exec-watch", "--after-index", after, "-r", "/ew", "--",
			"sh", "-c", `echo "$ETCD_WATCH_ACTION $ETCD_WATCH_KEY $ETCD_WATCH_VALUE $ETCD_WATCH_MODIFIED_INDEX"`},
			Streams{Stdin: strings.NewReader(""), Stdout: out, Stderr: errOut})
	}()
	want := []string{
		"set /ew/a 1 " + strconv.Itoa(afterN+1),
		"set /ew/b two words " + strconv.Itoa(afterN+3),
	}
	waitForLines(t, out, len(want))
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exec-watch exited %d", code)
	}
	got := strings.Split(strings.TrimSpace(out.String()), "\n")
	sort.Strings(got) // the commands run concurrently
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("exec-watch ran with %q; want %q", got, want)
	}
	if errOut.String() != "Ignored dir /ew/d change\n" {
		t.Errorf("exec-watch stderr %q", errOut.String())
	}
	if _, err := os.Stat(etcdctlBinary); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		real := runEtcdctlContext(ctx, "--endpoints", ep, "exec-watch", "--after-index", after, "-r", "/ew", "--",
			"sh", "-c", `echo "$ETCD_WATCH_ACTION $ETCD_WATCH_KEY $ETCD_WATCH_VALUE $ETCD_WATCH_MODIFIED_INDEX"`)
		lines := strings.Split(strings.TrimSpace(real.stdout), "\n")
		sort.Strings(lines)
		if strings.Join(lines, "|") != strings.Join(want, "|") || real.stderr != errOut.String() || real.code != 0 {
			t.Errorf("etcdctl exec-watch printed %q %q (exit %d); skiffctl printed %q %q", lines, real.stderr, real.code, got, errOut.String())
		}
	}
}

// syncBuffer is a bytes.Buffer safe to read while a run writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor waits up to 10 s for buf to hold want.
func waitFor(t *testing.T, buf *syncBuffer, want string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if buf.String() == want {
			return
		}
	}
	t.Fatalf("output %q never became %q", buf.String(), want)
}

// waitForLines waits up to 10 s for buf to hold n lines.
func waitForLines(t *testing.T, buf *syncBuffer, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if strings.Count(buf.String(), "\n") >= n {
			return
		}
	}
	t.Fatalf("output %q never reached %d lines", buf.String(), n)
}
