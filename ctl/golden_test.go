package ctl

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"skiff/internal/etcdtest"
	"testing"
)

// update rewrites the golden files from the real etcdctl:
//
//	go test ./ctl -run TestGolden -update
var update = flag.Bool("update", false, "rewrite testdata/*.golden from the real etcdctl's output")

// TestGolden runs each testdata/*.script, one command per line, against
// fresh single-member servers and compares every transcript with
// testdata/<name>.golden, which holds the real etcdctl's bytes for the same
// script against the real etcd (stdout, stderr and exit code of every step;
// contract §5). Indexes, times, ports and member IDs are normalised. Each
// script runs as:
//
//   - skiffctl against etcd; where etcdctl is installed, etcdctl too against
//     a second etcd, and the two transcripts must be equal (a differential
//     test; -update records the golden file from etcdctl's);
//   - skiffctl against skiff's server;
//   - etcdctl against skiff's server, where etcdctl is installed.
func TestGolden(t *testing.T) {
	scripts, err := filepath.Glob("testdata/*.script")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no testdata/*.script files (%v)", err)
	}
	for _, script := range scripts {
		name := strings.TrimSuffix(filepath.Base(script), ".script")
		t.Run(name, func(t *testing.T) {
			t.Parallel() // the servers mostly wait: for elections, fsyncs, bcrypt
			steps := readScript(t, script)
			golden := strings.TrimSuffix(script, ".script") + ".golden"
			t.Run("skiffctl-etcd", func(t *testing.T) {
				got := transcript(t, steps, startEtcd(t), skiffctlRunner(t))
				if _, err := os.Stat(etcdctlBinary); err == nil {
					want := transcript(t, steps, startEtcd(t), etcdctlRunner(t))
					if *update {
						if err := os.WriteFile(golden, []byte(want), 0o644); err != nil {
							t.Fatal(err)
						}
					}
					diffTranscripts(t, "etcdctl (live)", want, got)
				}
				diffTranscripts(t, golden, readGolden(t, golden), got)
			})
			t.Run("skiffctl-skiff", func(t *testing.T) {
				got := transcript(t, steps, startSkiff(t), skiffctlRunner(t))
				diffTranscripts(t, golden, readGolden(t, golden), got)
			})
			t.Run("etcdctl-skiff", func(t *testing.T) {
				etcdtest.RequireEtcdctl(t)
				got := transcript(t, steps, startSkiff(t), etcdctlRunner(t))
				diffTranscripts(t, golden, readGolden(t, golden), got)
			})
		})
	}
}

// skiffctlRunner runs one step through skiffctl, in-process.
func skiffctlRunner(t *testing.T) func([]string) result {
	return func(args []string) result { return runCtl(t, args...) }
}

// etcdctlRunner runs one step through the real etcdctl; its output is
// changed as skiffctl changes etcdctl's on purpose (etcdctlToSkiffctl).
func etcdctlRunner(t *testing.T) func([]string) result {
	return func(args []string) result {
		res := runEtcdctl(t, args...)
		res.stdout, res.stderr = etcdctlToSkiffctl(res.stdout), etcdctlToSkiffctl(res.stderr)
		return res
	}
}

// readGolden reads a golden transcript.
func readGolden(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v (run with -update where etcdctl is installed)", path, err)
	}
	return string(b)
}

// readScript reads one command per line; blank lines and # comments are
// skipped. Arguments are split on spaces, with "double quotes" grouping.
func readScript(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var steps [][]string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		steps = append(steps, splitArgs(line))
	}
	return steps
}

// splitArgs splits a script line into arguments.
func splitArgs(line string) []string {
	var args []string
	var cur strings.Builder
	inQuote, have := false, false
	for _, c := range line {
		switch {
		case c == '"':
			inQuote, have = !inQuote, true
		case c == ' ' && !inQuote:
			if have {
				args = append(args, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteRune(c)
			have = true
		}
	}
	if have {
		args = append(args, cur.String())
	}
	return args
}

// transcript runs every step against endpoint and renders what each
// printed, normalised so runs on different servers compare equal.
func transcript(t *testing.T, steps [][]string, endpoint string, run func([]string) result) string {
	t.Helper()
	// Wait for the member's own writes at startup (attributes, cluster
	// version), or they land inside the script and shift its indexes.
	base := etcdtest.WaitStableIndex(t, endpoint, stableIndexQuiet)
	var b strings.Builder
	for _, step := range steps {
		// Generous timeouts: the machine is shared, and a slow bcrypt check
		// must not turn into a timeout in one run and not the other.
		res := run(append([]string{"--endpoints", endpoint, "--timeout", "10s", "--total-timeout", "30s"}, step...))
		if first, _, ok := strings.Cut(res.stdout, "\n"); ok && strings.HasPrefix(first, "Incorrect Usage") {
			// The help after a usage error is skiffctl's own (another
			// program name, version and flag list); only its first line counts.
			res.stdout = first + "\n(help)\n"
		}
		fmt.Fprintf(&b, "$ %s\n--- stdout\n%s--- stderr\n%s--- exit %d\n", strings.Join(step, " "), res.stdout, res.stderr, res.code)
	}
	return normalize(b.String(), endpoint, base)
}

var (
	indexPatterns = []*regexp.Regexp{
		regexp.MustCompile(`("(?:created|modified)Index":)(\d+)`),
		regexp.MustCompile(`(?m)^((?:Created-|Modified-)?Index: )(\d+)$`),
		regexp.MustCompile(`(\) \[)(\d+)(\])`),
		regexp.MustCompile(`(\[\d+ != )(\d+)(\])`), // compare failed: [given != current]
		regexp.MustCompile(`(/)(\d{20})\b`),
		regexp.MustCompile(`(ETCD_WATCH_MODIFIED_INDEX=)(\d+)`),
	}
	expirationPattern = regexp.MustCompile(`"expiration":"[^"]*"`)
	memberIDPattern   = regexp.MustCompile(`\b[0-9a-f]{8,16}\b`) // %x: no leading zeros
	portPattern       = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	ttlPattern        = regexp.MustCompile(`("ttl":|(?m:^TTL: ))[1-9]\d*`)
	clusterPattern    = regexp.MustCompile(`(INITIAL_CLUSTER=")([^"]*)(")`)
)

// normalize replaces what differs between two servers running the same
// script: the endpoint, ports, member IDs, expiration times, and store
// indexes, which are shown as i+<n> relative to the index before the script.
func normalize(s, endpoint string, base uint64) string {
	s = strings.ReplaceAll(s, endpoint, "ENDPOINT")
	s = portPattern.ReplaceAllString(s, "127.0.0.1:PORT")
	s = expirationPattern.ReplaceAllString(s, `"expiration":"TIME"`)
	// A TTL counts down while the script runs; only "none" (0) is stable.
	s = ttlPattern.ReplaceAllString(s, "${1}TTL")
	for _, re := range indexPatterns {
		s = re.ReplaceAllStringFunc(s, func(m string) string {
			parts := re.FindStringSubmatch(m)
			n, _ := strconv.ParseUint(parts[2], 10, 64)
			rel := "i+" + strconv.FormatUint(n-base, 10)
			if n < base {
				rel = "i-" + strconv.FormatUint(base-n, 10)
			}
			if n == 0 {
				rel = "0"
			}
			return parts[1] + rel + strings.Join(parts[3:], "")
		})
	}
	s = clusterPattern.ReplaceAllStringFunc(s, func(m string) string {
		// Members are listed in ID order, and an added member's ID is random.
		parts := clusterPattern.FindStringSubmatch(m)
		members := strings.Split(parts[2], ",")
		sort.Strings(members)
		return parts[1] + strings.Join(members, ",") + parts[3]
	})
	return memberIDPattern.ReplaceAllString(s, "MEMBER_ID")
}

// etcdctlToSkiffctl applies the differences skiffctl makes on purpose
// (docs/skiffctl.md): member add prints SKIFF_* settings, and the member
// remove hint names skiffctl.
func etcdctlToSkiffctl(s string) string {
	s = strings.ReplaceAll(s, "\nETCD_NAME=", "\nSKIFF_NAME=")
	s = strings.ReplaceAll(s, "\nETCD_INITIAL_CLUSTER=", "\nSKIFF_INITIAL_CLUSTER=")
	s = strings.ReplaceAll(s, "\nETCD_INITIAL_CLUSTER_STATE=", "\nSKIFF_INITIAL_CLUSTER_STATE=")
	return strings.ReplaceAll(s, "\tetcdctl member remove", "\tskiffctl member remove")
}

// diffTranscripts fails with the first step whose output differs.
func diffTranscripts(t *testing.T, source, want, got string) {
	t.Helper()
	if want == got {
		return
	}
	ws, gs := strings.Split(want, "\n$ "), strings.Split(got, "\n$ ")
	for i := 0; i < len(ws) && i < len(gs); i++ {
		if ws[i] != gs[i] {
			t.Errorf("step differs from %s:\n--- want\n%s\n--- got\n%s", source, ws[i], gs[i])
			return
		}
	}
	t.Errorf("transcripts differ in length from %s: want %d steps, got %d", source, len(ws), len(gs))
}
