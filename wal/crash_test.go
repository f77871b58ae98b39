package wal

import (
	"fmt"
	"math/rand"
	"os"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"skiff/raft/raftpb"
	"skiff/wal/vfs"
)

// crashModel records what a workload handed to the WAL, in order, and how
// much of it the WAL acknowledged. It is the reference a recovered log is
// compared with, and it replays records the simple way: a log held from
// index 1, truncated wherever an entry is written.
type crashModel struct {
	recs      []modelRec
	acked     int      // recs[:acked] were acknowledged
	ackedSnap Snapshot // the newest acknowledged snapshot marker
	created   bool     // Create returned
	prevState raftpb.HardState
}

type modelRec struct {
	typ   recordType
	ent   raftpb.Entry
	state raftpb.HardState
	snap  Snapshot
}

// recovered is what ReadAll returned.
type recovered struct {
	state raftpb.HardState
	ents  []raftpb.Entry
}

// stateAt is what reading recs[:p] from snapshot s must return; ok is false
// if s's marker is not among them.
func (m *crashModel) stateAt(p int, s Snapshot) (r recovered, ok bool) {
	var log []raftpb.Entry
	ok = s.Index == 0
	for _, rec := range m.recs[:p] {
		switch rec.typ {
		case entryType:
			log = append(log[:rec.ent.Index-1], rec.ent)
		case stateType:
			r.state = rec.state
		case snapshotType:
			ok = ok || rec.snap == s
		}
	}
	if s.Index < uint64(len(log)) {
		r.ents = log[s.Index:]
	}
	return r, ok
}

// match returns the p ≥ acked for which r is the state after recs[:p], or -1.
func (m *crashModel) match(r recovered, s Snapshot) int {
	for p := m.acked; p <= len(m.recs); p++ {
		want, ok := m.stateAt(p, s)
		if ok && want.state == r.state && sameLog(want.ents, r.ents) {
			return p
		}
	}
	return -1
}

func sameLog(a, b []raftpb.Entry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !reflect.DeepEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}

// crashRun drives one seeded workload and checks the disk images a crash
// after each of its file-system calls could leave.
type crashRun struct {
	t      *testing.T
	seed   int64
	fsys   *vfs.MemFS
	model  crashModel
	opts   Options
	points int // crash points: file-system calls after which images were built
	// imagesPerPoint bounds the images built at one crash point: beyond
	// it, a random sample of the combinations the model allows.
	imagesPerPoint int
	images         int
	corrupt        int // garbage images that were refused, as allowed
}

const (
	crashDir      = "/data/member/wal"
	crashMetadata = "member 1 cluster 7"
)

func seedFor(t *testing.T) int64 {
	if s := os.Getenv("SKIFF_WAL_SEED"); s != "" {
		seed, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("SKIFF_WAL_SEED=%q: %v", s, err)
		}
		return seed
	}
	return time.Now().UnixNano()
}

// TestCrashAfterEveryCall runs a scripted workload (create, append, cut,
// overwrite a conflicting suffix, advance the commit index, snapshot
// marker, release) and, after every file-system call, builds the disk
// images a crash could leave and recovers from each. See checkImage for
// what must hold.
func TestCrashAfterEveryCall(t *testing.T) {
	seed := seedFor(t)
	runs, steps := 3, 120
	if os.Getenv("SKIFF_SOAK") != "" {
		runs, steps = 30, 400
	}
	for i := range runs {
		s := seed + int64(i)
		t.Run(fmt.Sprint("seed=", s), func(t *testing.T) {
			c := &crashRun{t: t, seed: s, fsys: vfs.NewMemFS(), imagesPerPoint: 48}
			c.opts = Options{FS: c.fsys, SegmentSize: 2048, MaxSegments: 3, PrepareInline: true}
			defer func() {
				if t.Failed() {
					t.Logf("replay: SKIFF_WAL_SEED=%d go test ./wal -run 'TestCrashAfterEveryCall/seed=%d$'", s, s)
				}
			}()
			c.fsys.SetAfter(c.crashHere)
			if err := c.workload(steps); err != nil {
				t.Fatal(err)
			}
			t.Logf("seed %d: %d records, %d crash points, %d images checked, %d garbage images refused as corrupt",
				s, len(c.model.recs), c.points, c.images, c.corrupt)
		})
	}
}

// TestFailureAtEveryCall makes the k-th file-system call of the workload
// fail with EIO, for every k. The workload stops at the first error, as the
// member would; the WAL must refuse to go on, and recovery from what was
// durable (and from everything written) must pass the crash checks: what
// was acknowledged before the failure is intact.
func TestFailureAtEveryCall(t *testing.T) {
	seed := seedFor(t)
	steps := 50
	if os.Getenv("SKIFF_SOAK") != "" {
		steps = 200
	}
	calls := countCalls(t, seed, steps)
	t.Logf("seed %d: failing each of %d calls in turn", seed, calls)
	for k := 1; k <= calls; k++ {
		c := &crashRun{t: t, seed: seed, fsys: vfs.NewMemFS()}
		c.opts = Options{FS: c.fsys, SegmentSize: 2048, MaxSegments: 3, PrepareInline: true}
		c.fsys.SetFault(func(op vfs.Op) error {
			if op.Seq == k {
				return syscall.EIO
			}
			return nil
		})
		err := c.workload(steps)
		if err == nil {
			t.Fatalf("seed %d: failing call %d of %d went unnoticed", seed, k, calls)
		}
		c.fsys.SetFault(nil)
		c.fsys.CrashImages(rand.New(rand.NewSource(seed+int64(k))), 16, func(desc string, img *vfs.MemFS) {
			c.checkImage(fmt.Sprintf("call %d failed (%v): %s", k, err, desc), strings.Contains(desc, "garbage"), img)
		})
		if t.Failed() {
			t.Logf("replay: SKIFF_WAL_SEED=%d go test ./wal -run TestFailureAtEveryCall", seed)
			return
		}
	}
}

// countCalls runs the workload without faults and counts its calls.
func countCalls(t *testing.T, seed int64, steps int) int {
	c := &crashRun{t: t, seed: seed, fsys: vfs.NewMemFS()}
	c.opts = Options{FS: c.fsys, SegmentSize: 2048, MaxSegments: 3, PrepareInline: true}
	calls := 0
	c.fsys.SetAfter(func(op vfs.Op) { calls = op.Seq })
	if err := c.workload(steps); err != nil {
		t.Fatal(err)
	}
	return calls
}
