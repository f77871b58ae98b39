package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"skiff/internal/etcdtest"
)

// TestMain removes the skiff binary the tests built.
func TestMain(m *testing.M) { etcdtest.Main(m) }

// put writes key=value and reports whether the member acknowledged it.
func put(clientURL, key, value string) bool {
	req, _ := http.NewRequest("PUT", clientURL+"/v2/keys"+key, strings.NewReader(url.Values{"value": {value}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated
}

func get(clientURL, key string) (int, string) {
	resp, err := http.Get(clientURL + "/v2/keys" + key)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func waitServing(t *testing.T, clientURL string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !put(clientURL, "/ready", "1") {
		if time.Now().After(deadline) {
			t.Fatal("the member did not start serving within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The binary serves PUT and GET, exits 0 on SIGTERM, survives kill -9
// without losing an acknowledged write, and exits 2 on a bad flag.
func TestBinaryServesStopsAndSurvivesKill9(t *testing.T) {
	bin := etcdtest.BuildSkiff(t) // skips with -short
	m := etcdtest.Start(t, etcdtest.Binary(bin), etcdtest.Flags("--log-level", "warn"))
	waitServing(t, m.ClientURL)
	var acked []string
	for i := range 50 {
		key := fmt.Sprintf("/k%d", i)
		if put(m.ClientURL, key, "v") {
			acked = append(acked, key)
		}
	}
	// kill -9 right after the last acknowledgement.
	m.Kill()
	m.Restart(t)
	waitServing(t, m.ClientURL)
	for _, key := range acked {
		if code, body := get(m.ClientURL, key); code != http.StatusOK {
			t.Fatalf("acknowledged %s lost after kill -9: %d %s", key, code, body)
		}
	}
	if code := m.Stop(t); code != 0 {
		t.Fatalf("exit after SIGTERM: %d, want 0", code)
	}
	if code := etcdtest.ExitCode(exec.Command(bin, "--no-such-flag").Run()); code != 2 {
		t.Fatalf("a bad flag: exit %d, want 2", code)
	}
}
