package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"skiff/ctl"
	"skiff/raft/raftpb"
	"skiff/server"
	"skiff/snap"
	"skiff/wal"
)

// These tests back up data dirs written by skiff's own server (contract
// §9); they live here because this package links the server.

// run runs skiffctl in-process as the binary does, bounded by 30 s.
func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	code = ctl.RunWith(ctx, append([]string{"skiffctl"}, args...), ctl.Streams{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut}, deps)
	return out.String(), errOut.String(), code
}

// lockedBuffer collects a server's log while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// freeURL is http://127.0.0.1:<a free port>.
func freeURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "http://" + l.Addr().String()
}

// startSkiff runs skiff's server in-process over dataDir until it has
// published itself, and returns its client URL, a stop function that
// waits for it to exit, and its log so far.
func startSkiff(t *testing.T, dataDir string, extra ...string) (string, func(), func() string) {
	t.Helper()
	curl, purl := freeURL(t), freeURL(t)
	args := append([]string{"--name", "default", "--data-dir", dataDir,
		"--listen-client-urls", curl, "--advertise-client-urls", curl,
		"--listen-peer-urls", purl, "--initial-advertise-peer-urls", purl,
		"--initial-cluster", "default=" + purl}, extra...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	log := &lockedBuffer{}
	go func() { done <- server.Run(ctx, args, nil, server.Streams{Stdout: io.Discard, Stderr: log}) }()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	t.Cleanup(stop)
	for deadline := time.Now().Add(15 * time.Second); !strings.Contains(log.String(), "published member attributes"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("skiff did not publish itself within 15s; log:\n%s", log.String())
		}
	}
	return curl, stop, log.String
}

// servesClients reports whether a server answers /health with 200.
func servesClients(ep string) bool {
	resp, err := http.Get(ep + "/health")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// readWAL reads a whole WAL from the marker on.
func readWAL(t *testing.T, dir string, marker wal.Snapshot) ([]byte, []raftpb.Entry) {
	t.Helper()
	w, err := wal.OpenForRead(dir, marker, wal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	meta, _, ents, err := w.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return meta, ents
}

// headID is the member ID at the head of skiff's WAL metadata (after the
// version byte).
func headID(meta []byte) uint64 {
	id, _ := binary.Uvarint(meta[1:])
	return id
}

// TestBackupRestoresWithForceNewCluster: the backup of a member drops its
// attribute publish, gets a new member ID, refuses a non-empty backup dir,
// and starts with --force-new-cluster as that new member. With a server
// that serves the client API, keys written before are read back after.
func TestBackupRestoresWithForceNewCluster(t *testing.T) {
	data, backupDir := filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "backup")
	ep, stop, _ := startSkiff(t, data)
	keys := servesClients(ep)
	for i := 0; keys && i < 12; i++ {
		if _, stderr, code := run(t, "--endpoints", ep, "set", "/k"+strconv.Itoa(i), "v"+strconv.Itoa(i)); code != 0 {
			t.Fatalf("set: %s", stderr)
		}
	}
	stop()
	oldMeta, _ := readWAL(t, filepath.Join(data, "member", "wal"), wal.Snapshot{})

	stdout, stderr, code := run(t, "backup", "--data-dir", data, "--backup-dir", backupDir)
	wantLog := fmt.Sprintf("ignoring member attribute update on /0/members/%x/attributes\n", headID(oldMeta))
	if code != 0 || stdout != "" || stderr != wantLog {
		t.Fatalf("backup: exit %d %q %q; want 0 and stderr %q", code, stdout, stderr, wantLog)
	}
	newMeta, ents := readWAL(t, filepath.Join(backupDir, "member", "wal"), wal.Snapshot{})
	if headID(newMeta) == headID(oldMeta) {
		t.Errorf("the backup kept member ID %x", headID(oldMeta))
	}
	for _, e := range ents {
		if _, ok := server.PublishedMember(e.Data); ok || e.Type == raftpb.EntryConfChange {
			t.Errorf("membership entry %d is still in the backup", e.Index)
		}
	}
	_, stderr, code = run(t, "backup", "--data-dir", data, "--backup-dir", backupDir)
	wantErr := "failed creating backup WAL dir " + filepath.Join(backupDir, "member", "wal") + ": expected "
	if code != ctl.ExitBadArgs || !strings.HasPrefix(stderr, wantErr) {
		t.Errorf("second backup into the same dir: exit %d %q; want 1 and %q", code, stderr, wantErr)
	}

	ep, _, log := startSkiff(t, backupDir, "--force-new-cluster")
	if !strings.Contains(log(), fmt.Sprintf("member=%x", headID(newMeta))) {
		t.Errorf("the restored member does not run as %x; log:\n%s", headID(newMeta), log())
	}
	if !keys {
		t.Skip("skiff's server does not serve the client API yet; the WAL-level checks passed, the key check is skipped")
	}
	for i := range 12 {
		if stdout, stderr, code := run(t, "--endpoints", ep, "get", "/k"+strconv.Itoa(i)); stdout != "v"+strconv.Itoa(i)+"\n" {
			t.Errorf("key /k%d after restore: exit %d, %q %q", i, code, stdout, stderr)
		}
	}
}

// TestBackupCopiesTheNewestSnapshotWithAMarker: the backup holds the newest
// snapshot whose marker is in the WAL (not a newer file without one, as a
// crash between the two writes leaves), and its WAL opens at that marker.
// The snapshots are added to a data dir skiff wrote.
func TestBackupCopiesTheNewestSnapshotWithAMarker(t *testing.T) {
	data, backupDir := filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "backup")
	_, stop, _ := startSkiff(t, data)
	stop()
	walDir, snapDir := filepath.Join(data, "member", "wal"), filepath.Join(data, "member", "snap")
	w, err := wal.Open(walDir, wal.Snapshot{}, wal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, _, ents, err := w.ReadAll()
	if err != nil || len(ents) < 2 {
		t.Fatalf("skiff's WAL: %d entries, %v", len(ents), err)
	}
	older, newest := ents[len(ents)-2], ents[len(ents)-1]
	ss := snap.New(snapDir, nil)
	for _, e := range []raftpb.Entry{older, newest} {
		if err := ss.Save(raftpb.Snapshot{Metadata: raftpb.SnapshotMetadata{Index: e.Index, Term: e.Term}, Data: []byte("state")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.SaveSnapshot(wal.Snapshot{Index: older.Index, Term: older.Term}); err != nil {
		t.Fatal(err)
	}
	w.Close()

	if _, stderr, code := run(t, "backup", "--data-dir", data, "--backup-dir", backupDir); code != 0 {
		t.Fatalf("backup: exit %d %s", code, stderr)
	}
	src, _ := filepath.Glob(filepath.Join(snapDir, "*.snap"))
	dst, _ := filepath.Glob(filepath.Join(backupDir, "member", "snap", "*.snap"))
	if len(src) != 2 || len(dst) != 1 || filepath.Base(dst[0]) != filepath.Base(src[0]) {
		t.Errorf("backup snapshots %v; want only the older of %v, the one with a marker", dst, src)
	}
	_, after := readWAL(t, filepath.Join(backupDir, "member", "wal"), wal.Snapshot{Index: older.Index, Term: older.Term})
	for _, e := range after {
		if e.Index <= older.Index {
			t.Errorf("backup WAL entry %d is covered by the snapshot at %d", e.Index, older.Index)
		}
	}
}
