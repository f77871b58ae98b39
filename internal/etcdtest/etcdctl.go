package etcdtest

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// RequireEtcdctl skips the test when the real etcdctl is not installed.
func RequireEtcdctl(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(EtcdctlBinary); err != nil {
		t.Skipf("%s is not installed; tests against the real etcdctl need it (Debian package etcd-client 3.4)", EtcdctlBinary)
	}
}

// interruptGrace is how long etcdctl has to end after SIGINT before it is
// killed.
const interruptGrace = 5 * time.Second

// Etcdctl runs the real etcdctl with the v2 API (ETCDCTL_API=2) and an
// empty stdin. Unless endpoint is "", "--endpoints endpoint" goes before
// args. When ctx ends first etcdctl gets SIGINT, as a user's Ctrl-C would
// send, so that a watch ends the way it does at a terminal (and SIGKILL
// after 5 s more). exit is etcdctl's exit code: -1 when it died of a
// signal, or could not be run at all (stderr then says why).
func Etcdctl(ctx context.Context, endpoint string, args ...string) (stdout, stderr string, exit int) {
	if endpoint != "" {
		args = append([]string{"--endpoints", endpoint}, args...)
	}
	cmd := exec.CommandContext(ctx, EtcdctlBinary, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = interruptGrace
	cmd.Env = append(os.Environ(), "ETCDCTL_API=2")
	cmd.Stdin = strings.NewReader("")
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if cmd.ProcessState == nil { // it never ran
		return "", err.Error(), -1
	}
	// After SIGINT, or when a command etcdctl started still holds its
	// output open, Run reports an error even when etcdctl exited 0; the exit
	// code is what counts.
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}
