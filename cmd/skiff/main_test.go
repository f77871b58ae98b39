package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildSkiff builds this command into a temporary directory.
func buildSkiff(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "skiff")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// member is one skiff process on fixed ports and a data dir.
type member struct {
	bin, dir, peer, client string
	cmd                    *exec.Cmd
}

func (m *member) start(t *testing.T) {
	t.Helper()
	m.cmd = exec.Command(m.bin, "--name", "e2e", "--data-dir", m.dir,
		"--listen-peer-urls", "http://"+m.peer, "--initial-advertise-peer-urls", "http://"+m.peer,
		"--listen-client-urls", "http://"+m.client, "--advertise-client-urls", "http://"+m.client,
		"--initial-cluster", "e2e=http://"+m.peer, "--log-level", "warn")
	m.cmd.Stderr = os.Stderr
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if m.cmd.ProcessState == nil {
			m.cmd.Process.Kill()
			m.cmd.Wait()
		}
	})
}

// put writes key=value and reports whether the member acknowledged it.
func (m *member) put(key, value string) bool {
	req, _ := http.NewRequest("PUT", "http://"+m.client+"/v2/keys"+key, strings.NewReader(url.Values{"value": {value}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated
}

func (m *member) get(key string) (int, string) {
	resp, err := http.Get("http://" + m.client + "/v2/keys" + key)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (m *member) waitServing(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !m.put("/ready", "1") {
		if time.Now().After(deadline) {
			t.Fatal("the member did not start serving within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The binary serves PUT and GET, exits 0 on SIGTERM, survives kill -9
// without losing an acknowledged write, and exits 2 on a bad flag.
func TestBinaryServesStopsAndSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	m := &member{bin: buildSkiff(t), dir: filepath.Join(t.TempDir(), "d"), peer: freeAddr(t), client: freeAddr(t)}
	m.start(t)
	m.waitServing(t)
	var acked []string
	for i := range 50 {
		key := fmt.Sprintf("/k%d", i)
		if m.put(key, "v") {
			acked = append(acked, key)
		}
	}
	// kill -9 right after the last acknowledgement.
	m.cmd.Process.Signal(syscall.SIGKILL)
	m.cmd.Wait()
	m.start(t)
	m.waitServing(t)
	for _, key := range acked {
		if code, body := m.get(key); code != http.StatusOK {
			t.Fatalf("acknowledged %s lost after kill -9: %d %s", key, code, body)
		}
	}
	m.cmd.Process.Signal(syscall.SIGTERM)
	if err := m.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v, want 0", err)
	}
	bad := exec.Command(m.bin, "--no-such-flag")
	err := bad.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("a bad flag: %v, want exit 2", err)
	}
}
