package wal

import (
	"errors"
	"fmt"
	"math/rand"
	"strings"

	"skiff/raft/raftpb"
	"skiff/wal/vfs"
)

// workload drives the WAL through steps random but seeded operations, the
// way a raft member would: entries always follow the log, a new term may
// overwrite an uncommitted suffix, the commit index only grows, and
// snapshots are taken at the commit index. It stops at the first error, as
// a member would, and returns it.
func (c *crashRun) workload(steps int) error {
	wl := &workload{c: c, rng: rand.New(rand.NewSource(c.seed)), st: raftpb.HardState{Term: 1, Vote: 1}}
	w, err := Create(crashDir, []byte(crashMetadata), c.opts)
	if err != nil {
		return fmt.Errorf("Create: %w", err)
	}
	c.model.created = true
	wl.w = w
	for range steps {
		if err := wl.step(); err != nil {
			w.Close()
			return err
		}
	}
	return w.Close()
}

// workload is the state of a running workload: the member's hard state and
// log as it sees them.
type workload struct {
	c         *crashRun
	w         *WAL
	rng       *rand.Rand
	st        raftpb.HardState
	log       []raftpb.Entry
	snapIndex uint64
}

func (wl *workload) step() error {
	last := uint64(len(wl.log))
	switch k := wl.rng.Intn(20); {
	case k < 11:
		if wl.rng.Intn(5) == 0 {
			wl.st.Term, wl.st.Vote = wl.st.Term+1, uint64(1+wl.rng.Intn(3))
		}
		return wl.appendFrom(last+1, 1+wl.rng.Intn(4))
	case k < 13 && last > wl.st.Commit:
		// A new leader overwrites part of the uncommitted suffix (§5.3).
		wl.st.Term++
		return wl.appendFrom(wl.st.Commit+1+uint64(wl.rng.Int63n(int64(last-wl.st.Commit))), 1+wl.rng.Intn(3))
	case k < 16:
		wl.st.Commit = last
		return wl.c.save(wl.w, wl.st, nil)
	case k < 18 && wl.st.Commit > wl.snapIndex:
		return wl.snapshot()
	default:
		return wl.c.save(wl.w, raftpb.HardState{}, nil) // a Ready with nothing to persist
	}
}

func (wl *workload) appendFrom(from uint64, n int) error {
	es := make([]raftpb.Entry, n)
	for i := range es {
		data := make([]byte, 1+wl.rng.Intn(300))
		wl.rng.Read(data)
		es[i] = raftpb.Entry{Term: wl.st.Term, Index: from + uint64(i), Data: data}
	}
	wl.log = append(wl.log[:from-1], es...)
	return wl.c.save(wl.w, wl.st, es)
}

// snapshot marks a snapshot at the commit index and releases segments.
func (wl *workload) snapshot() error {
	m := &wl.c.model
	wl.snapIndex = wl.st.Commit
	s := Snapshot{Index: wl.snapIndex, Term: wl.log[wl.snapIndex-1].Term}
	m.recs = append(m.recs, modelRec{typ: snapshotType, snap: s})
	if err := wl.w.SaveSnapshot(s); err != nil {
		return fmt.Errorf("SaveSnapshot: %w", err)
	}
	m.acked, m.ackedSnap = len(m.recs), s
	if err := wl.w.ReleaseLockTo(wl.snapIndex); err != nil {
		return fmt.Errorf("ReleaseLockTo: %w", err)
	}
	return nil
}

// save is Save with the model kept up to date: the records are added before
// the call (a crash inside it may leave them on disk) and acknowledged
// after it if it had to fsync.
func (c *crashRun) save(w *WAL, st raftpb.HardState, es []raftpb.Entry) error {
	sync := MustSync(c.model.prevState, st, len(es))
	for _, e := range es {
		c.model.recs = append(c.model.recs, modelRec{typ: entryType, ent: e})
	}
	if !st.IsEmpty() {
		c.model.recs = append(c.model.recs, modelRec{typ: stateType, state: st})
		c.model.prevState = st
	}
	if err := w.Save(st, es); err != nil {
		return fmt.Errorf("Save: %w", err)
	}
	if sync {
		c.model.acked = len(c.model.recs)
	}
	return nil
}

// crashHere builds the images a crash right after op could leave and
// checks each.
func (c *crashRun) crashHere(op vfs.Op) {
	c.points++
	rng := rand.New(rand.NewSource(c.seed*1_000_003 + int64(op.Seq)))
	c.fsys.CrashImages(rng, c.imagesPerPoint, func(desc string, img *vfs.MemFS) {
		c.images++
		c.checkImage(op.String()+": "+desc, strings.Contains(desc, "garbage"), img)
	})
}

// checkImage recovers from img and checks that
//   - an acknowledged Create is not lost;
//   - the WAL opens at a snapshot marker no older than the newest
//     acknowledged one;
//   - the log and hard state are those after some prefix of the records
//     written, at least as long as the acknowledged prefix: nothing
//     acknowledged is lost, nothing duplicated or reordered, and the hard
//     state does not go back;
//   - recovering again gives the same result;
//   - an entry appended afterwards reads back.
//
// Only an image with garbage in it may be refused, as corrupt, and only
// where nothing durable was.
func (c *crashRun) checkImage(crash string, garbage bool, img *vfs.MemFS) {
	t := c.t
	opts := c.opts
	opts.FS = img
	where := func() string { return crash }
	if !Exist(crashDir, opts) {
		if c.model.created {
			t.Fatalf("crash after %s: the acknowledged WAL is gone", where())
		}
		return
	}
	snaps, err := ValidSnapshots(crashDir, opts)
	if err != nil {
		c.refused(err, garbage, where())
		return
	}
	s := snaps[len(snaps)-1]
	if s.Index < c.model.ackedSnap.Index {
		t.Fatalf("crash after %s: newest snapshot marker %+v is older than the acknowledged %+v", where(), s, c.model.ackedSnap)
	}
	r, err := recoverFrom(opts, s)
	if err != nil {
		c.refused(err, garbage, where())
		return
	}
	if c.model.match(r, s) < 0 {
		want, _ := c.model.stateAt(c.model.acked, s)
		t.Log(c.model.debug(r, s))
		t.Fatalf("crash after %s: recovered state %+v with %d entries is no prefix of what was written at least as long as what was acknowledged (acknowledged: state %+v, %d entries)",
			where(), r.state, len(r.ents), want.state, len(want.ents))
	}
	again, err := recoverFrom(opts, s)
	if err != nil || again.state != r.state || !sameLog(again.ents, r.ents) {
		t.Fatalf("crash after %s: recovering twice differs: %v", where(), err)
	}
	c.appendAfterRecovery(opts, s, r, where())
}

func recoverFrom(opts Options, s Snapshot) (recovered, error) {
	w, err := Open(crashDir, s, opts)
	if err != nil {
		return recovered{}, err
	}
	defer w.Close()
	md, st, es, err := w.ReadAll()
	if err == nil && string(md) != crashMetadata {
		err = fmt.Errorf("metadata %q, want %q", md, crashMetadata)
	}
	return recovered{state: st, ents: es}, err
}

func (c *crashRun) appendAfterRecovery(opts Options, s Snapshot, r recovered, where string) {
	t := c.t
	w, err := Open(crashDir, s, opts)
	if err == nil {
		_, _, _, err = w.ReadAll()
	}
	if err != nil {
		t.Fatalf("crash after %s: reopening: %v", where, err)
	}
	e := raftpb.Entry{Term: max(r.state.Term, 1), Index: s.Index + uint64(len(r.ents)) + 1, Data: []byte("after recovery")}
	st := raftpb.HardState{Term: e.Term, Vote: r.state.Vote, Commit: r.state.Commit}
	if err := w.Save(st, []raftpb.Entry{e}); err != nil {
		t.Fatalf("crash after %s: appending after recovery: %v", where, err)
	}
	must(t, w.Close())
	got, err := recoverFrom(opts, s)
	want := append(append([]raftpb.Entry(nil), r.ents...), e)
	if err != nil || !sameLog(got.ents, want) || got.state != st {
		t.Fatalf("crash after %s: after appending, read back %d entries and %+v (err %v), want %d entries and %+v",
			where, len(got.ents), got.state, err, len(want), st)
	}
}

// refused accepts a recovery error only if the image holds garbage and the
// corrupt record was not durable before the crash (so never acknowledged).
func (c *crashRun) refused(err error, garbage bool, where string) {
	t := c.t
	var ce *CorruptError
	if !garbage || !errors.As(err, &ce) {
		t.Fatalf("crash after %s: recovery failed: %v", where, err)
	}
	durable, ok := c.fsys.Durable(ce.File)
	if ok && ce.Offset+8 <= int64(len(durable)) && !allZero(durable[ce.Offset:ce.Offset+8]) {
		t.Fatalf("crash after %s: refused a record that was durable before the crash: %v", where, err)
	}
	c.corrupt++
}
