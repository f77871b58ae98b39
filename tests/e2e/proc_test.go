package e2e

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildSkiff builds cmd/skiff into a temporary directory.
func buildSkiff(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "skiff")
	out, err := exec.Command("go", "build", "-o", bin, "skiff/cmd/skiff").CombinedOutput()
	if err != nil {
		t.Fatalf("go build skiff/cmd/skiff: %v\n%s", err, out)
	}
	return bin
}

// freeAddr asks the kernel for a free loopback port. (A process cannot
// take over a listener, so there is a small window in which another
// program could take the port; the member would then fail to start and say
// so.)
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// proc is one skiff process with fixed ports and a data dir.
type proc struct {
	name, dir, peer, client string
	bin, initialCluster     string
	extra                   []string // more flags
	log                     *os.File
	cmd                     *exec.Cmd
	exited                  chan struct{}
}

// procs starts n members of one cluster with data dirs and logs under dir.
func procs(t *testing.T, bin, dir string, n int, extra ...string) []*proc {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var ps []*proc
	var parts []string
	for i := range n {
		p := &proc{name: fmt.Sprintf("m%d", i+1), peer: freeAddr(t), client: freeAddr(t), bin: bin, extra: extra}
		p.dir = filepath.Join(dir, p.name)
		parts = append(parts, p.name+"=http://"+p.peer)
		ps = append(ps, p)
	}
	for _, p := range ps {
		p.initialCluster = strings.Join(parts, ",")
		f, err := os.Create(filepath.Join(dir, p.name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		p.log = f
		t.Cleanup(func() { p.kill(); f.Close() })
		p.start(t)
	}
	for _, p := range ps {
		p.waitUp(t)
	}
	return ps
}

func (p *proc) url() string { return "http://" + p.client }

// start runs the binary; the process's output goes to its log.
func (p *proc) start(t *testing.T) {
	t.Helper()
	p.cmd = exec.Command(p.bin, "--name", p.name, "--data-dir", p.dir,
		"--listen-peer-urls", "http://"+p.peer, "--initial-advertise-peer-urls", "http://"+p.peer,
		"--listen-client-urls", p.url(), "--advertise-client-urls", p.url(),
		"--initial-cluster", p.initialCluster, "--initial-cluster-token", "e2e",
		"--heartbeat-interval", "50", "--election-timeout", "500")
	p.cmd.Args = append(p.cmd.Args, p.extra...)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", p.name, err)
	}
	p.exited = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { cmd.Wait(); close(done) }(p.cmd, p.exited)
}

// waitUp waits until the member answers on its client port.
func (p *proc) waitUp(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			t.Fatalf("%s exited early: %v; see %s", p.name, p.cmd.ProcessState, p.log.Name())
		default:
		}
		if resp, err := http.Get(p.url() + "/version"); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not answer on %s within 20s; see %s", p.name, p.url(), p.log.Name())
}

// kill sends SIGKILL (a paused process dies too) and waits for the exit.
func (p *proc) kill() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// pause stops the process (no ticks, no processing, sockets held open)
// for d, then lets it go on.
func (p *proc) pause(d time.Duration) {
	p.cmd.Process.Signal(syscall.SIGSTOP)
	time.Sleep(d)
	p.cmd.Process.Signal(syscall.SIGCONT)
}
