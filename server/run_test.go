package server

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Run's exit codes: 2 for a command line the parser refuses, 1 for a
// configuration that cannot start (with a one-line message naming the
// setting), 0 for --version and after a clean stop.
func TestRunExitCodes(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown flag", []string{"--bogus"}, ExitUsage, "bogus"},
		{"name missing from the initial cluster", []string{"--name", "x", "--initial-cluster", "y=http://127.0.0.1:1",
			"--data-dir", filepath.Join(dir, "a")}, ExitFailure, "--initial-cluster"},
		{"advertised peer URLs disagree", []string{"--name", "x", "--initial-cluster", "x=http://127.0.0.1:1",
			"--initial-advertise-peer-urls", "http://127.0.0.1:2", "--listen-peer-urls", "http://127.0.0.1:2",
			"--listen-client-urls", "http://127.0.0.1:3", "--advertise-client-urls", "http://127.0.0.1:3",
			"--data-dir", filepath.Join(dir, "b")}, ExitFailure, "--initial-advertise-peer-urls"},
		{"version", []string{"--version"}, ExitOK, "3.4.23"},
	}
	for _, tc := range cases {
		var out, errOut bytes.Buffer
		code := Run(context.Background(), tc.args, nil, Streams{Stdout: &out, Stderr: &errOut})
		if code != tc.code || !strings.Contains(out.String()+errOut.String(), tc.want) {
			t.Errorf("%s: exit %d, output %q; want exit %d mentioning %q", tc.name, code, out.String()+errOut.String(), tc.code, tc.want)
		}
		if tc.code == ExitFailure && strings.Count(strings.TrimSpace(errOut.String()), "\n") != 0 {
			t.Errorf("%s: the error is not one line: %q", tc.name, errOut.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "b", "member", "wal")); err == nil {
		t.Error("a refused bootstrap left a WAL behind")
	}
}

// A started member stops cleanly with exit 0 when its context ends (cmd/skiff
// cancels it on SIGTERM), and a data dir that belongs to another cluster is
// refused on the next start.
func TestRunStopsCleanlyAndRefusesForeignDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	peer, client := freeAddr(t), freeAddr(t)
	args := []string{"--name", "n", "--data-dir", dir, "--listen-peer-urls", "http://" + peer,
		"--initial-advertise-peer-urls", "http://" + peer, "--listen-client-urls", "http://" + client,
		"--advertise-client-urls", "http://" + client, "--initial-cluster", "n=http://" + peer}
	ctx, cancel := context.WithCancel(context.Background())
	codec := make(chan int, 1)
	var errOut bytes.Buffer
	go func() { codec <- Run(ctx, args, nil, Streams{Stdout: &bytes.Buffer{}, Stderr: &errOut}) }()
	waitFor(t, "the WAL exists", func() bool {
		_, err := os.Stat(filepath.Join(dir, "member", "wal"))
		return err == nil
	})
	time.Sleep(100 * time.Millisecond)
	cancel()
	if code := <-codec; code != ExitOK {
		t.Fatalf("exit %d after a clean stop; stderr %s", code, errOut.String())
	}
	foreign := append(append([]string{}, args...), "--initial-cluster-token", "another")
	var out bytes.Buffer
	if code := Run(context.Background(), foreign, nil, Streams{Stdout: &out, Stderr: &out}); code != ExitFailure ||
		!strings.Contains(out.String(), "belongs to member") {
		t.Fatalf("foreign data dir: exit %d, output %q", code, out.String())
	}
}
