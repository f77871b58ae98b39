package store

import (
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"testing"
	"time"
)

// opReader hands out the fuzz input one byte at a time, zeros once it runs
// out.
type opReader struct{ data []byte }

func (r *opReader) done() bool { return len(r.data) == 0 }

func (r *opReader) next() byte {
	if len(r.data) == 0 {
		return 0
	}
	b := r.data[0]
	r.data = r.data[1:]
	return b
}

// fuzzPath maps a byte to one of 40 paths, up to three levels over the names
// a, b and _h (hidden), or the root.
func fuzzPath(b byte) string {
	depth := int(b & 3)
	p := ""
	names := []string{"a", "b", "_h"}
	for i := 0; i < depth; i++ {
		p += "/" + names[int(b>>(2+2*i)&3)%3]
	}
	if p == "" {
		return "/"
	}
	return p
}

func fuzzTTL(b byte) TTL {
	switch b % 8 {
	case 1:
		return TTL{Set: true, Seconds: 0}
	case 2:
		return TTL{Set: true, Seconds: 1}
	case 3:
		return TTL{Set: true, Seconds: 2}
	case 4:
		return TTL{Set: true, Seconds: 5}
	case 5:
		return TTL{Set: true, Seconds: 1 << 62}
	case 6:
		return TTL{Set: true, Seconds: 3, Refresh: true}
	}
	return TTL{}
}

var fuzzValues = []string{"", "x", "y", "z"}

// opsRun applies the operations coded in data to three things side by side:
// the store run straight through, a second store that is saved and recovered
// whenever the input says so, and the model. All three must agree after
// every step: results, error codes, causes, indexes and the whole state.
type opsRun struct {
	t        *testing.T
	straight *Store
	restored *Store
	m        *model
	now      time.Time
	step     int
}

func checkStoreOps(t *testing.T, data []byte) {
	run := &opsRun{t: t, straight: New(), restored: New(), m: newModel(), now: t0}
	rd := &opReader{data: data}
	for run.step = 0; !rd.done() && run.step < 300; run.step++ {
		run.apply(rd)
		run.compareState()
	}
}

func (run *opsRun) apply(rd *opReader) {
	kind, pb, vb, fb := rd.next()%10, rd.next(), rd.next(), rd.next()
	p, value, ttl := fuzzPath(pb), fuzzValues[vb%4], fuzzTTL(fb>>2)
	dir, recursive := fb&1 != 0, fb&2 != 0
	pv := fuzzValues[(vb>>2)%4]
	var pi uint64
	if vb&16 != 0 && run.m.index >= uint64(vb>>5) {
		pi = run.m.index - uint64(vb>>5)
	}
	now := run.now
	var desc string
	var want mresult
	var op func(s *Store) (*Event, error)
	switch kind {
	case 0:
		desc = fmt.Sprintf("Set(%s dir=%v value=%q ttl=%+v)", p, dir, value, ttl)
		want = run.m.set(p, dir, value, ttl, now)
		op = func(s *Store) (*Event, error) { return s.Set(Keys, p, dir, value, ttl, now) }
	case 1, 2:
		unique := kind == 2
		desc = fmt.Sprintf("Create(%s dir=%v value=%q unique=%v ttl=%+v)", p, dir, value, unique, ttl)
		want = run.m.createOp(p, dir, value, unique, ttl, now)
		op = func(s *Store) (*Event, error) { return s.Create(Keys, p, dir, value, unique, ttl, now) }
	case 3:
		desc = fmt.Sprintf("Update(%s value=%q ttl=%+v)", p, value, ttl)
		want = run.m.rewrite(false, p, "", 0, value, ttl, now)
		op = func(s *Store) (*Event, error) { return s.Update(Keys, p, value, ttl, now) }
	case 4:
		desc = fmt.Sprintf("CompareAndSwap(%s pv=%q pi=%d value=%q ttl=%+v)", p, pv, pi, value, ttl)
		want = run.m.rewrite(true, p, pv, pi, value, ttl, now)
		op = func(s *Store) (*Event, error) { return s.CompareAndSwap(Keys, p, pv, pi, value, ttl, now) }
	case 5:
		desc = fmt.Sprintf("Delete(%s dir=%v recursive=%v)", p, dir, recursive)
		want = run.m.delete(p, dir, recursive)
		op = func(s *Store) (*Event, error) { return s.Delete(Keys, p, dir, recursive, now) }
	case 6:
		desc = fmt.Sprintf("CompareAndDelete(%s pv=%q pi=%d)", p, pv, pi)
		want = run.m.compareAndDelete(p, pv, pi)
		op = func(s *Store) (*Event, error) { return s.CompareAndDelete(Keys, p, pv, pi, now) }
	case 7:
		run.now = run.now.Add(time.Duration(fb%3) * time.Second)
		run.expire()
		return
	case 8:
		run.recover()
		return
	default:
		run.get(p, fb&1 != 0)
		return
	}
	run.check(desc, want, op)
}

// check runs op on both stores and compares them with each other and with
// the model's result.
func (run *opsRun) check(desc string, want mresult, op func(*Store) (*Event, error)) {
	t := run.t
	e1, err1 := op(run.straight)
	e2, err2 := op(run.restored)
	if a, b := mustJSON(t, e1)+mustJSON(t, err1), mustJSON(t, e2)+mustJSON(t, err2); a != b {
		t.Fatalf("step %d %s: recovered store differs:\n straight %s\n restored %s", run.step, desc, a, b)
	}
	got := resultOf(e1, err1)
	if want.code == EcodeTTLNaN {
		got.cause = "" // the model does not spell the overflow cause
	}
	if got != want {
		t.Fatalf("step %d %s:\n store %+v\n model %+v", run.step, desc, got, want)
	}
	if err1 == nil && e1.EtcdIndex != run.straight.Index() {
		t.Fatalf("step %d %s: EtcdIndex %d, store index %d", run.step, desc, e1.EtcdIndex, run.straight.Index())
	}
}

func resultOf(e *Event, err error) mresult {
	if err != nil {
		se := err.(*Error)
		return mresult{code: se.ErrorCode, cause: se.Cause}
	}
	r := mresult{action: e.Action, key: e.Node.Key, index: e.Node.ModifiedIndex, created: e.Node.CreatedIndex, dir: e.Node.Dir}
	if e.Node.Value != nil {
		r.value = *e.Node.Value
	}
	if e.PrevNode != nil {
		r.hasPrev, r.prevModified = true, e.PrevNode.ModifiedIndex
		if e.PrevNode.Value != nil {
			r.prevValue = *e.PrevNode.Value
		}
	}
	return r
}

func (run *opsRun) expire() {
	t := run.t
	want := run.m.expire(run.now)
	got1 := run.straight.DeleteExpiredKeys(run.now)
	got2 := run.restored.DeleteExpiredKeys(run.now)
	if mustJSON(t, got1) != mustJSON(t, got2) {
		t.Fatalf("step %d expire: recovered store differs:\n %s\n %s", run.step, mustJSON(t, got1), mustJSON(t, got2))
	}
	if len(got1) != len(want) {
		t.Fatalf("step %d expire at %v: store expired %s, model %+v", run.step, run.now, mustJSON(t, got1), want)
	}
	for i, e := range got1 {
		if got := resultOf(e, nil); got != want[i] {
			t.Fatalf("step %d expire #%d:\n store %+v\n model %+v", run.step, i, got, want[i])
		}
	}
}

func (run *opsRun) recover() {
	data, err := run.restored.Save()
	if err != nil {
		run.t.Fatalf("step %d: save: %v", run.step, err)
	}
	fresh := New()
	if err := fresh.Recovery(data); err != nil {
		run.t.Fatalf("step %d: recovery: %v", run.step, err)
	}
	run.restored = fresh
}

// get compares a sorted get, listing and all, with the model's rendering.
func (run *opsRun) get(p string, recursive bool) {
	t := run.t
	n, want := run.m.find(p)
	e, err := run.straight.Get(Keys, p, recursive, true, run.now)
	if want != nil {
		if Code(err) != want.code || err.(*Error).Cause != want.cause {
			t.Fatalf("step %d Get(%s): store error %v, model %+v", run.step, p, err, *want)
		}
		return
	}
	if err != nil {
		t.Fatalf("step %d Get(%s): store error %v, model found it", run.step, p, err)
	}
	if got, exp := mustJSON(t, e.Node), mustJSON(t, run.m.render(p, n, recursive, true, run.now)); got != exp {
		t.Fatalf("step %d Get(%s recursive=%v):\n store %s\n model %s", run.step, p, recursive, got, exp)
	}
}

// compareState checks the whole key space and the index of both stores
// against the model.
func (run *opsRun) compareState() {
	t := run.t
	if run.straight.Hash() != run.restored.Hash() {
		t.Fatalf("step %d: recovered store's state differs:\n%s\n%s", run.step, run.straight.Dump(), run.restored.Dump())
	}
	got := map[string]mnode{}
	snap := run.straight.snapshot(false)
	for _, c := range snap.Nodes {
		if c.Namespace == Keys {
			got[c.Key] = mnode{dir: c.Dir, value: c.Value, created: c.CreatedIndex, modified: c.ModifiedIndex, expireAt: c.ExpireAt}
		}
	}
	if snap.Index != run.m.index || len(got) != len(run.m.nodes) {
		t.Fatalf("step %d: store index %d with %d nodes, model %d with %d\n%s", run.step, snap.Index, len(got), run.m.index, len(run.m.nodes), run.straight.Dump())
	}
	for p, n := range run.m.nodes {
		if got[p] != *n {
			t.Fatalf("step %d: node %s: store %+v, model %+v", run.step, p, got[p], *n)
		}
	}
}

// FuzzStoreOps checks random operation sequences against the model, and a
// store that is snapshotted and recovered along the way against one that
// runs straight through.
func FuzzStoreOps(f *testing.F) {
	f.Add([]byte{0, 0x05, 1, 0, 5, 0x05, 0, 0})
	f.Add([]byte{0, 0x16, 1, 0x10, 7, 0, 0, 2, 0, 0x16, 1, 0x08})
	f.Fuzz(func(t *testing.T, data []byte) { checkStoreOps(t, data) })
}

// TestStoreOpsRandom runs seeded random inputs through the same checks. Set
// SKIFF_SEED to replay one seed; SKIFF_SOAK=1 runs many more.
func TestStoreOpsRandom(t *testing.T) {
	seeds, runs := randomSeeds(t, 300)
	for _, seed := range seeds[:runs] {
		data := make([]byte, 600)
		rand.New(rand.NewSource(seed)).Read(data)
		t.Run(strconv.FormatInt(seed, 10), func(t *testing.T) {
			defer func() {
				if t.Failed() {
					t.Logf("replay: SKIFF_SEED=%d go test ./store -run 'TestStoreOpsRandom' -v", seed)
				}
			}()
			checkStoreOps(t, data)
		})
	}
}

// randomSeeds picks the seeds for a randomized test: SKIFF_SEED alone when
// set, else n fresh ones (100 times as many under SKIFF_SOAK=1).
func randomSeeds(t *testing.T, n int) ([]int64, int) {
	if v := os.Getenv("SKIFF_SEED"); v != "" {
		seed, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatalf("SKIFF_SEED=%q is not a number", v)
		}
		return []int64{seed}, 1
	}
	if os.Getenv("SKIFF_SOAK") == "1" {
		n *= 100
	}
	base := time.Now().UnixNano()
	t.Logf("random seeds start at %d", base)
	seeds := make([]int64, n)
	for i := range seeds {
		seeds[i] = base + int64(i)
	}
	return seeds, n
}
