package ctl

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"skiff/raft/raftpb"
)

// The backup of real data dirs written by skiff's server is tested in
// cmd/skiffctl, which links the server; these tests need no server.

// fakePublished stands in for skiff/server's command decoder: an entry is
// a publish of member 0xabc when its data says so.
func fakePublished(data []byte) (uint64, bool) {
	return 0xabc, string(data) == "publish 0xabc"
}

// fakeRewrite stands in for skiff/server's RewriteMetadataIDs.
func fakeRewrite(meta []byte, member, cluster uint64) ([]byte, error) { return meta, nil }

// runBackup runs skiffctl backup with the fake decoders.
func runBackup(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := RunWith(context.Background(), append([]string{"skiffctl", "backup"}, args...),
		Streams{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut}, Deps{PublishedMember: fakePublished, RewriteMetadataIDs: fakeRewrite})
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

// TestBackupNeedsTheServerDecoder: without Deps.PublishedMember and
// Deps.RewriteMetadataIDs (plain Run), backup explains why it cannot run instead of copying entries it
// cannot judge.
func TestBackupNeedsTheServerDecoder(t *testing.T) {
	res := runCtl(t, "backup", "--data-dir", t.TempDir(), "--backup-dir", t.TempDir())
	if res.code != ExitBadArgs || !strings.Contains(res.stderr, "built without skiff's WAL decoders") {
		t.Errorf("%+v", res)
	}
}

// TestDropMembershipRenumbers: removing a conf change and a publish shifts
// the later entries down and lowers the commit index by as many.
func TestDropMembershipRenumbers(t *testing.T) {
	publish := []byte("publish 0xabc") // what fakePublished recognises
	ents := []raftpb.Entry{
		{Index: 5, Term: 2},
		{Index: 6, Term: 2, Type: raftpb.EntryConfChange},
		{Index: 7, Term: 2, Data: publish},
		{Index: 8, Term: 2, Data: []byte("not a command")},
	}
	var log strings.Builder
	got, state := dropMembership(ents, raftpb.HardState{Term: 2, Commit: 8}, fakePublished, &log)
	if len(got) != 2 || got[0].Index != 5 || got[1].Index != 6 || string(got[1].Data) != "not a command" || state.Commit != 6 {
		t.Errorf("got %+v commit %d", got, state.Commit)
	}
	wantLog := "ignoring EntryConfChange raft entry\nignoring member attribute update on /0/members/abc/attributes\n"
	if log.String() != wantLog {
		t.Errorf("log %q, want %q", log.String(), wantLog)
	}
}

// TestBackupNeedsBothDirs: a clear error, exit 1.
func TestBackupNeedsBothDirs(t *testing.T) {
	res := runBackup(t, "--data-dir", t.TempDir())
	if res.code != ExitBadArgs || !strings.Contains(res.stderr, "both --data-dir and --backup-dir are required") {
		t.Errorf("%+v", res)
	}
	res = runBackup(t, "--data-dir", t.TempDir(), "--backup-dir", t.TempDir())
	if res.code != ExitBadArgs || !strings.Contains(res.stderr, "is --data-dir (or --wal-dir) a skiff data dir?") {
		t.Errorf("empty data dir: %+v", res)
	}
}
