package etcdtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Member is one process started by Start or StartCluster.
type Member struct {
	Name      string // its --name
	ClientURL string // http://127.0.0.1:<port>, listened on and advertised
	PeerURL   string // http://127.0.0.1:<port>, listened on and advertised
	DataDir   string // its --data-dir, removed when the test ends (kept under DataRoot)
	LogFile   string // under DataRoot: the file its output is copied to; else ""

	bin  string
	args []string // the command line, kept for Restart
	env  []string // added to the environment (Env)
	log  lockedBuffer

	mu   sync.Mutex
	proc *process // the running or last process; nil before the first start
}

// process is one run of a member's binary.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when Wait has returned
	err    error         // Wait's result, set before exited is closed
}

// Log returns everything the member's processes printed so far.
func (m *Member) Log() string { return m.log.String() }

// start runs the member's command line in a new process.
func (m *Member) start() error {
	cmd := exec.Command(m.bin, m.args...)
	cmd.Env = append(withoutEtcdVars(os.Environ()), m.env...)
	cmd.Stdout, cmd.Stderr = &m.log, &m.log
	if err := cmd.Start(); err != nil {
		return &startError{member: m, reason: fmt.Sprintf("could not run %s: %v", m.bin, err)}
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	m.mu.Lock()
	m.proc = p
	m.mu.Unlock()
	return nil
}

// Exited reports whether the member's process has exited, and how (Wait's
// error). It is false before the first start.
func (m *Member) Exited() (error, bool) {
	m.mu.Lock()
	p := m.proc
	m.mu.Unlock()
	if p == nil {
		return nil, false
	}
	select {
	case <-p.exited:
		return p.err, true
	default:
		return nil, false
	}
}

// Kill kills the member's process with SIGKILL, as a crash would, and waits
// until it has exited. It does nothing when the process is not running.
func (m *Member) Kill() {
	m.mu.Lock()
	p := m.proc
	m.mu.Unlock()
	if p == nil {
		return
	}
	_ = p.cmd.Process.Kill() // fails only when the process has exited
	<-p.exited
}

// Pause stops the member's process with SIGSTOP for d, then lets it go on
// with SIGCONT: no ticks, no messages handled, its sockets held open, as a
// long GC pause or a stalled VM would. It does nothing when the process is
// not running.
func (m *Member) Pause(d time.Duration) {
	m.mu.Lock()
	p := m.proc
	m.mu.Unlock()
	if p == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGSTOP)
	time.Sleep(d)
	_ = p.cmd.Process.Signal(syscall.SIGCONT)
}

// Stop sends the member's process SIGTERM, as an operator's shutdown
// would, waits until it has exited and returns its exit code (see
// ExitCode). It fails the test when the process is not running, or has not
// exited 30 s after the signal; it is then killed.
func (m *Member) Stop(t testing.TB) int {
	t.Helper()
	m.mu.Lock()
	p := m.proc
	m.mu.Unlock()
	if p == nil {
		t.Fatalf("etcdtest: stopping %s: it was never started", m.Name)
	}
	if err, exited := m.Exited(); exited {
		t.Fatalf("etcdtest: stopping %s: it had already exited (%v)", m.Name, err)
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		return ExitCode(p.err)
	case <-time.After(stopTimeout):
		m.Kill()
		t.Fatalf("etcdtest: %s had not exited %v after SIGTERM; killed it", m.Name, stopTimeout)
		return -1
	}
}

// Restart kills the member (if it runs) and starts it again with the same
// command line, ports and data dir, and waits until its /health says true;
// the rest of its cluster must have a quorum without it. A failed restart
// fails the test with the member's log.
func (m *Member) Restart(t testing.TB) {
	t.Helper()
	m.Kill()
	fmt.Fprintf(&m.log, "--- etcdtest: restarting %s\n", m.Name)
	err := m.start()
	if err == nil {
		err = waitHealthy([]*Member{m}, startTimeout)
	}
	if err != nil {
		m.Kill()
		t.Fatalf("etcdtest: restarting %s: %v", m.Name, err)
	}
}

// withoutEtcdVars drops the ETCD_* variables, which etcd (and skiff) would
// read as flags: a member's command line alone says how it runs.
func withoutEtcdVars(env []string) []string {
	var kept []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "ETCD_") {
			kept = append(kept, kv)
		}
	}
	return kept
}

// lockedBuffer collects a process's output while a test reads it, and
// copies it to file when there is one (DataRoot).
type lockedBuffer struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	file *os.File
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.file != nil {
		_, _ = b.file.Write(p) // the in-memory copy is the one tests read
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
