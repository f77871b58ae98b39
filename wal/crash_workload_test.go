package wal

import (
	"errors"
	"math/rand"

	"skiff/raft/raftpb"
	"skiff/wal/vfs"
)

// workload drives the WAL through steps random but seeded operations, the
// way a raft member would: entries always follow the log, a new term may
// overwrite an uncommitted suffix, the commit index only grows, and
// snapshots are taken at the commit index.
func (c *crashRun) workload(steps int) {
	t := c.t
	rng := rand.New(rand.NewSource(c.seed))
	w, err := Create(crashDir, []byte("member 1 cluster 7"), c.opts)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	c.model.created = true
	st := raftpb.HardState{Term: 1, Vote: 1}
	var log []raftpb.Entry
	var snapIndex uint64
	appendFrom := func(from uint64, n int) {
		es := make([]raftpb.Entry, n)
		for i := range es {
			data := make([]byte, 1+rng.Intn(300))
			rng.Read(data)
			es[i] = raftpb.Entry{Term: st.Term, Index: from + uint64(i), Data: data}
		}
		log = append(log[:from-1], es...)
		c.save(w, st, es)
	}
	for range steps {
		last := uint64(len(log))
		switch k := rng.Intn(20); {
		case k < 11:
			if rng.Intn(5) == 0 {
				st.Term, st.Vote = st.Term+1, uint64(1+rng.Intn(3))
			}
			appendFrom(last+1, 1+rng.Intn(4))
		case k < 13 && last > st.Commit:
			// A new leader overwrites part of the uncommitted suffix (§5.3).
			st.Term++
			appendFrom(st.Commit+1+uint64(rng.Int63n(int64(last-st.Commit))), 1+rng.Intn(3))
		case k < 16:
			st.Commit = last
			c.save(w, st, nil)
		case k < 18 && st.Commit > snapIndex:
			snapIndex = st.Commit
			s := Snapshot{Index: snapIndex, Term: log[snapIndex-1].Term}
			c.model.recs = append(c.model.recs, modelRec{typ: snapshotType, snap: s})
			if err := w.SaveSnapshot(s); err != nil {
				t.Fatalf("SaveSnapshot: %v", err)
			}
			c.model.acked, c.model.ackedSnap = len(c.model.recs), s
			if err := w.ReleaseLockTo(snapIndex); err != nil {
				t.Fatalf("ReleaseLockTo: %v", err)
			}
		default:
			c.save(w, raftpb.HardState{}, nil) // a Ready with nothing to persist
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// save is Save with the model kept up to date: the records are added before
// the call (a crash inside it may leave them on disk) and acknowledged
// after it if it had to fsync.
func (c *crashRun) save(w *WAL, st raftpb.HardState, es []raftpb.Entry) {
	sync := MustSync(c.model.prevState, st, len(es))
	for _, e := range es {
		c.model.recs = append(c.model.recs, modelRec{typ: entryType, ent: e})
	}
	if !st.IsEmpty() {
		c.model.recs = append(c.model.recs, modelRec{typ: stateType, state: st})
		c.model.prevState = st
	}
	if err := w.Save(st, es); err != nil {
		c.t.Fatalf("Save: %v", err)
	}
	if sync {
		c.model.acked = len(c.model.recs)
	}
}

// crashHere builds the images a crash right after op could leave and
// checks each.
func (c *crashRun) crashHere(op vfs.Op) {
	c.points++
	rng := rand.New(rand.NewSource(c.seed*1_000_003 + int64(op.Seq)))
	allButLast := func(_ string, n int) int { return n - 1 }
	random := func(_ string, n int) int { return rng.Intn(n + 1) }
	images := []vfs.CrashOptions{
		{}, // only what was fsynced
		{KeepWrites: vfs.KeepAll, KeepNames: vfs.KeepAll},
		{KeepWrites: allButLast, KeepNames: vfs.KeepAll, Tear: vfs.TearZero, Rand: rng},
		{KeepWrites: allButLast, KeepNames: vfs.KeepAll, Tear: vfs.TearGarbage, Rand: rng},
		{KeepWrites: random, KeepNames: random, Tear: vfs.Tear(rng.Intn(3)), Rand: rng},
	}
	for _, o := range images {
		c.images++
		c.checkImage(op, o, c.fsys.CrashImage(o))
	}
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
func (c *crashRun) checkImage(op vfs.Op, o vfs.CrashOptions, img *vfs.MemFS) {
	t := c.t
	opts := c.opts
	opts.FS = img
	where := func() string { return op.String() + " tear=" + o.Tear.String() }
	if !Exist(crashDir, opts) {
		if c.model.created {
			t.Fatalf("crash after %s: the acknowledged WAL is gone", where())
		}
		return
	}
	snaps, err := ValidSnapshots(crashDir, opts)
	if err != nil {
		c.refused(err, o, where())
		return
	}
	s := snaps[len(snaps)-1]
	if s.Index < c.model.ackedSnap.Index {
		t.Fatalf("crash after %s: newest snapshot marker %+v is older than the acknowledged %+v", where(), s, c.model.ackedSnap)
	}
	r, err := recoverFrom(opts, s)
	if err != nil {
		c.refused(err, o, where())
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
	_, st, es, err := w.ReadAll()
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
func (c *crashRun) refused(err error, o vfs.CrashOptions, where string) {
	t := c.t
	var ce *CorruptError
	if o.Tear != vfs.TearGarbage || !errors.As(err, &ce) {
		t.Fatalf("crash after %s: recovery failed: %v", where, err)
	}
	durable, ok := c.fsys.Durable(ce.File)
	if ok && ce.Offset+8 <= int64(len(durable)) && !allZero(durable[ce.Offset:ce.Offset+8]) {
		t.Fatalf("crash after %s: refused a record that was durable before the crash: %v", where, err)
	}
	c.corrupt++
}
