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

// skiffBuild is the skiff binary built for this test binary; Main removes
// its directory.
var skiffBuild struct {
	once    sync.Once
	mainRan bool // Main runs the tests, so it will remove dir
	dir     string
	bin     string
	err     error
}

// Main runs a package's tests and then removes the skiff binary BuildSkiff
// built, if any. A package whose tests call BuildSkiff needs
//
//	func TestMain(m *testing.M) { etcdtest.Main(m) }
func Main(m *testing.M) {
	skiffBuild.mainRan = true
	code := m.Run()
	if skiffBuild.dir != "" {
		os.RemoveAll(skiffBuild.dir)
	}
	os.Exit(code)
}

// BuildSkiff builds skiff's server (skiff/cmd/skiff) the first time a test
// binary calls it and returns its path, for Binary. The build takes
// seconds, so it skips the test with -short. The package's TestMain must
// call Main, which removes the binary at the end.
func BuildSkiff(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: not building skiff's server")
	}
	if !skiffBuild.mainRan {
		t.Fatal("etcdtest: BuildSkiff needs func TestMain(m *testing.M) { etcdtest.Main(m) } to remove the binary")
	}
	skiffBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "etcdtest-skiff-")
		if err != nil {
			skiffBuild.err = err
			return
		}
		skiffBuild.dir = dir
		bin := filepath.Join(dir, "skiff")
		if out, err := exec.Command("go", "build", "-o", bin, "skiff/cmd/skiff").CombinedOutput(); err != nil {
			skiffBuild.err = fmt.Errorf("go build skiff/cmd/skiff: %v\n%s", err, out)
			return
		}
		skiffBuild.bin = bin
	})
	if skiffBuild.err != nil {
		t.Fatalf("etcdtest: building skiff's server: %v", skiffBuild.err)
	}
	return skiffBuild.bin
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
