package ctl

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// result is what one run of skiffctl or etcdctl printed and returned.
type result struct {
	stdout, stderr string
	code           int
}

// String shows a result the way golden files hold it.
func (r result) String() string {
	return "stdout:\n" + r.stdout + "stderr:\n" + r.stderr + "exit: " + strconv.Itoa(r.code) + "\n"
}

// runCtl runs skiffctl in-process with args (without the program name)
// and an empty stdin, bounded by 30 s so a bug cannot hang the suite.
func runCtl(t *testing.T, args ...string) result {
	t.Helper()
	return runCtlStdin(t, "", args...)
}

// runCtlStdin is runCtl with stdin.
func runCtlStdin(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return runCtlContext(ctx, stdin, args...)
}

// runCtlContext runs skiffctl until it ends or ctx is cancelled.
func runCtlContext(ctx context.Context, stdin string, args ...string) result {
	var out, errOut bytes.Buffer
	code := Run(ctx, append([]string{"skiffctl"}, args...), Streams{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut})
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

// etcdctlBinary is the real etcdctl the differential tests compare with.
const etcdctlBinary = "/usr/bin/etcdctl"

// haveEtcdctl skips the test when etcdctl is not installed.
func haveEtcdctl(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(etcdctlBinary); err != nil {
		t.Skipf("real etcdctl is not installed at %s; install etcd-client 3.4 to run this test", etcdctlBinary)
	}
}

// runEtcdctl runs the real etcdctl (API v2) with args and an empty stdin.
func runEtcdctl(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return runEtcdctlContext(ctx, args...)
}

// runEtcdctlContext runs etcdctl until it ends or ctx is cancelled, when it
// gets SIGINT as a user's Ctrl-C would send.
func runEtcdctlContext(ctx context.Context, args ...string) result {
	cmd := exec.Command(etcdctlBinary, args...)
	cmd.Env = append(os.Environ(), "ETCDCTL_API=2")
	cmd.Stdin = strings.NewReader("")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		return result{stderr: err.Error(), code: -1}
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			_ = cmd.Process.Signal(os.Interrupt)
		case <-done:
		}
	}()
	err := cmd.Wait()
	close(done)
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}
