package ctl

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"skiff/internal/etcdtest"
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

// etcdctlBinary is the real etcdctl the differential tests compare with
// where it is installed.
const etcdctlBinary = etcdtest.EtcdctlBinary

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
	stdout, stderr, code := etcdtest.Etcdctl(ctx, "", args...)
	return result{stdout: stdout, stderr: stderr, code: code}
}
