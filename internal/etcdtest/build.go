package etcdtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// builds are the binaries built for this test binary, one per package, in
// one temporary directory that Main removes.
var builds struct {
	mu      sync.Mutex
	mainRan bool // Main runs the tests, so it will remove dir
	dir     string
	done    map[string]*built // by package path
}

type built struct {
	once sync.Once
	bin  string
	err  error
}

// Main runs a package's tests and then removes the binaries BuildSkiff and
// BuildSkiffctl built, if any. A package whose tests call them needs
//
//	func TestMain(m *testing.M) { etcdtest.Main(m) }
func Main(m *testing.M) {
	builds.mainRan = true
	code := m.Run()
	if builds.dir != "" {
		os.RemoveAll(builds.dir)
	}
	os.Exit(code)
}

// BuildSkiff builds skiff's server (skiff/cmd/skiff) the first time a test
// binary calls it and returns its path, for Binary. The build takes
// seconds, so it skips the test with -short. The package's TestMain must
// call Main, which removes the binary at the end.
func BuildSkiff(t testing.TB) string {
	t.Helper()
	return build(t, "skiff/cmd/skiff", "skiff")
}

// BuildSkiffctl is BuildSkiff for skiffctl (skiff/cmd/skiffctl).
func BuildSkiffctl(t testing.TB) string {
	t.Helper()
	return build(t, "skiff/cmd/skiffctl", "skiffctl")
}

// build builds pkg into the shared directory as name, once per test binary.
func build(t testing.TB, pkg, name string) string {
	t.Helper()
	if testing.Short() {
		t.Skipf("-short: not building %s", pkg)
	}
	if !builds.mainRan {
		t.Fatalf("etcdtest: building %s needs func TestMain(m *testing.M) { etcdtest.Main(m) } to remove the binary", pkg)
	}
	builds.mu.Lock()
	if builds.done == nil {
		builds.done = map[string]*built{}
	}
	b := builds.done[pkg]
	if b == nil {
		b = &built{}
		builds.done[pkg] = b
	}
	if builds.dir == "" {
		builds.dir, b.err = os.MkdirTemp("", "etcdtest-skiff-")
	}
	dir := builds.dir
	builds.mu.Unlock()
	b.once.Do(func() {
		if b.err != nil {
			return
		}
		bin := filepath.Join(dir, name)
		if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
			return
		}
		b.bin = bin
	})
	if b.err != nil {
		t.Fatalf("etcdtest: building %s: %v", pkg, b.err)
	}
	return b.bin
}

// ExitCode is the exit code of a process that ran to its end, as
// exec.Cmd.Run's error says it: 0 for nil, the code for an *exec.ExitError
// (-1 when a signal ended it), and -1 for any other error.
func ExitCode(err error) int {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	default:
		return -1
	}
}
