package ctl

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"skiff/raft/raftpb"
	"skiff/snap"
	"skiff/wal"
)

// backupCommand is "backup": an offline copy of a member's newest snapshot
// and the WAL after it, as etcdctl backup makes one (contract §9). The copy
// has a new member ID and cluster ID and no membership entries, so it can
// only be started with --force-new-cluster and can never join the old
// cluster by mistake.
func (r *runner) backupCommand() *cli.Command {
	return &cli.Command{
		Name:      "backup",
		Usage:     "backup an etcd directory",
		ArgsUsage: " ",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "data-dir", Usage: "Path to the etcd data dir"},
			&cli.StringFlag{Name: "wal-dir", Usage: "Path to the etcd wal dir"},
			&cli.StringFlag{Name: "backup-dir", Usage: "Path to the backup dir"},
			&cli.StringFlag{Name: "backup-wal-dir", Usage: "Path to the backup wal dir"},
			&cli.BoolFlag{Name: "with-v3", Usage: "Backup v3 backend data (skiff has none; accepted for etcdctl compatibility)"},
		},
		Action: r.backup,
	}
}

// backupDirs are the four directories a backup reads and writes.
type backupDirs struct {
	srcSnap, srcWAL, destSnap, destWAL string
}

// backupPaths applies etcdctl's defaults: member/snap and member/wal under
// the data and backup dirs, unless --wal-dir or --backup-wal-dir say
// otherwise.
func backupPaths(c *cli.Context) (backupDirs, error) {
	data, dest := c.String("data-dir"), c.String("backup-dir")
	if data == "" || dest == "" {
		return backupDirs{}, errors.New("both --data-dir and --backup-dir are required, e.g. skiffctl backup --data-dir default.skiff --backup-dir /tmp/backup")
	}
	d := backupDirs{
		srcSnap:  filepath.Join(data, "member", "snap"),
		srcWAL:   filepath.Join(data, "member", "wal"),
		destSnap: filepath.Join(dest, "member", "snap"),
		destWAL:  filepath.Join(dest, "member", "wal"),
	}
	if w := c.String("wal-dir"); w != "" {
		d.srcWAL = w
	}
	if w := c.String("backup-wal-dir"); w != "" {
		d.destWAL = w
	}
	return d, nil
}

// backup copies the newest usable snapshot, then writes a new WAL holding
// the old one's entries after it, without membership entries.
func (r *runner) backup(c *cli.Context) error {
	if r.deps.PublishedMember == nil || r.deps.RewriteMetadataIDs == nil {
		return exitf(ExitBadArgs, "this skiffctl was built without skiff's WAL decoders (Deps.PublishedMember, Deps.RewriteMetadataIDs), so it cannot back up; use the skiffctl binary from cmd/skiffctl")
	}
	dirs, err := backupPaths(c)
	if err != nil {
		return exitf(ExitBadArgs, "%v", err)
	}
	if err := createEmptyDir(dirs.destSnap); err != nil {
		return exitf(ExitBadArgs, "failed creating backup snapshot dir %s: %v", dirs.destSnap, err)
	}
	// etcd's snap dir always holds a db file, so its check also protects
	// the WAL; skiff's may be empty, so the WAL dir is checked on its own.
	if err := createEmptyDir(dirs.destWAL); err != nil {
		return exitf(ExitBadArgs, "failed creating backup WAL dir %s: %v", dirs.destWAL, err)
	}
	marker, err := copyNewestSnapshot(dirs)
	if err != nil {
		return exitf(ExitBadArgs, "%v", err)
	}
	meta, state, ents, err := readWAL(dirs.srcWAL, marker)
	if err != nil {
		return exitf(ExitBadArgs, "%v", err)
	}
	ents, state = dropMembership(ents, state, r.deps.PublishedMember, r.Stderr)
	if meta, err = r.deps.RewriteMetadataIDs(meta, randomID(), randomID()); err != nil {
		return exitf(ExitBadArgs, "%v", err)
	}
	if err := writeWAL(dirs.destWAL, meta, marker, state, ents); err != nil {
		return exitf(ExitBadArgs, "%v", err)
	}
	return nil
}

// createEmptyDir makes dir and refuses one that already holds files, with
// etcd's words: expected "<dir>" to be empty, got ["a" "b"].
func createEmptyDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		names := make([]string, len(entries))
		for i, e := range entries {
			names[i] = e.Name()
		}
		return fmt.Errorf("expected %q to be empty, got %q", dir, names)
	}
	return nil
}

// copyNewestSnapshot copies the newest snapshot whose marker is in the WAL
// (the one a restart would load) into the backup and returns its marker;
// the zero marker when the member has no snapshot yet.
func copyNewestSnapshot(dirs backupDirs) (wal.Snapshot, error) {
	markers, err := wal.ValidSnapshots(dirs.srcWAL, wal.Options{})
	if err != nil {
		return wal.Snapshot{}, fmt.Errorf("cannot read the WAL in %s; is --data-dir (or --wal-dir) a skiff data dir? (back up etcd's own with etcdctl backup): %w", dirs.srcWAL, err)
	}
	inWAL := make(map[wal.Snapshot]bool, len(markers))
	for _, m := range markers {
		inWAL[m] = true
	}
	s, err := snap.New(dirs.srcSnap, nil).LoadNewestAvailable(func(m raftpb.SnapshotMetadata) bool {
		return inWAL[wal.Snapshot{Index: m.Index, Term: m.Term}]
	})
	if errors.Is(err, snap.ErrNoSnapshot) {
		return wal.Snapshot{}, nil
	}
	if err != nil {
		return wal.Snapshot{}, fmt.Errorf("loading the newest snapshot in %s: %w", dirs.srcSnap, err)
	}
	if err := snap.New(dirs.destSnap, nil).Save(s); err != nil {
		return wal.Snapshot{}, fmt.Errorf("writing the snapshot to %s: %w", dirs.destSnap, err)
	}
	return wal.Snapshot{Index: s.Metadata.Index, Term: s.Metadata.Term}, nil
}

// readWAL reads the source WAL from the snapshot marker on, without taking
// its lock, so a running member's WAL can be copied too.
func readWAL(dir string, marker wal.Snapshot) ([]byte, raftpb.HardState, []raftpb.Entry, error) {
	w, err := wal.OpenForRead(dir, marker, wal.Options{})
	if err != nil {
		return nil, raftpb.HardState{}, nil, fmt.Errorf("opening the WAL in %s: %w", dir, err)
	}
	defer w.Close()
	meta, state, ents, err := w.ReadAll()
	if err != nil {
		return nil, raftpb.HardState{}, nil, fmt.Errorf("reading the WAL in %s: %w", dir, err)
	}
	return meta, state, ents, nil
}

// dropMembership removes every configuration change and every member
// attribute publish, renumbering the entries after each removed one and
// lowering the commit index to match, as etcdctl backup does (contract §9).
// published decodes member attribute publishes (Deps.PublishedMember). Each
// removal is logged to w.
func dropMembership(ents []raftpb.Entry, state raftpb.HardState, published func([]byte) (uint64, bool), w io.Writer) ([]raftpb.Entry, raftpb.HardState) {
	kept := ents[:0:0]
	removed := uint64(0)
	for _, e := range ents {
		e.Index -= removed
		if drop, why := isMembershipEntry(e, published); drop {
			fmt.Fprintln(w, why)
			removed++
			continue
		}
		kept = append(kept, e)
	}
	state.Commit -= min(removed, state.Commit)
	return kept, state
}

// isMembershipEntry says whether e changes membership and, if so, the log
// line etcdctl prints for it.
func isMembershipEntry(e raftpb.Entry, published func([]byte) (uint64, bool)) (bool, string) {
	if e.Type == raftpb.EntryConfChange {
		return true, "ignoring EntryConfChange raft entry"
	}
	if e.Type != raftpb.EntryNormal || len(e.Data) == 0 {
		return false, ""
	}
	id, ok := published(e.Data)
	if !ok {
		return false, ""
	}
	return true, fmt.Sprintf("ignoring member attribute update on /0/members/%x/attributes", id)
}

// writeWAL creates the backup's WAL: the snapshot marker first, then the
// hard state and the entries after it.
func writeWAL(dir string, meta []byte, marker wal.Snapshot, state raftpb.HardState, ents []raftpb.Entry) error {
	w, err := wal.Create(dir, meta, wal.Options{})
	if err != nil {
		return fmt.Errorf("creating the backup WAL in %s: %w", dir, err)
	}
	if marker.Index > 0 {
		if err := w.SaveSnapshot(marker); err != nil {
			w.Close()
			return fmt.Errorf("writing the snapshot marker to %s: %w", dir, err)
		}
	}
	if err := w.Save(state, ents); err != nil {
		w.Close()
		return fmt.Errorf("writing the entries to %s: %w", dir, err)
	}
	return w.Close()
}

// randomID is a random non-zero 64-bit ID.
func randomID() uint64 {
	var b [8]byte
	for {
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on Linux
		if id := binary.LittleEndian.Uint64(b[:]); id != 0 {
			return id
		}
	}
}
