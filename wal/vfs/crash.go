package vfs

import (
	"math/rand"
	"sort"
)

// Tear says what becomes of the first unsynced write that does not reach
// the disk whole.
type Tear int

const (
	// TearNone loses the write entirely.
	TearNone Tear = iota
	// TearZero keeps a prefix of the write that ends on a 512-byte sector
	// boundary of the file; the rest of the write reads as zeros.
	TearZero
	// TearGarbage keeps such a prefix; the rest of the write reads as
	// random bytes.
	TearGarbage
	// TearHole keeps the whole write but a run of its sectors, which read
	// as zeros: the disk wrote the write's sectors out of order.
	TearHole
)

func (t Tear) String() string {
	return [...]string{"none", "zero", "garbage", "hole"}[t]
}

// SectorSize is the unit in which MemFS tears writes.
const SectorSize = 512

// CrashOptions chooses one of the disk images a crash could leave. The zero
// value keeps only what was made durable.
type CrashOptions struct {
	// KeepWrites returns how many of the n unsynced changes to the file
	// (named by a surviving name) reach the disk, in order: 0 ≤ k ≤ n.
	// nil keeps none.
	KeepWrites func(name string, n int) int
	// Tear applies to the first change not kept, if it is a write.
	Tear Tear
	// KeepNames returns how many of the n unsynced creates, renames and
	// removes in dir reach the disk, in order. nil keeps none.
	KeepNames func(dir string, n int) int
	// Rand chooses where a write tears and the garbage bytes. Required
	// when Tear is not TearNone.
	Rand *rand.Rand
}

// KeepAll is a KeepWrites or KeepNames function that keeps every change.
func KeepAll(_ string, n int) int { return n }

// CrashImage returns a new MemFS holding the disk state that a crash at this
// moment leaves, as chosen by o. The receiver is not changed. The image has
// no locks held and no pending changes.
func (m *MemFS) CrashImage(o CrashOptions) *MemFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	keepNames := func(dir string, n int) int {
		if o.KeepNames == nil {
			return 0
		}
		return clamp(o.KeepNames(dir, n), n)
	}
	choose := func(name string, ino *inode) fileChoice {
		if o.KeepWrites == nil {
			return fileChoice{tear: o.Tear}
		}
		return fileChoice{keep: clamp(o.KeepWrites(name, len(ino.pending)), len(ino.pending)), tear: o.Tear}
	}
	return m.image(keepNames, choose, o.Rand)
}

// fileChoice is what a crash does to one file's unsynced changes: the
// first keep reach the disk; the next, if it is a write, is torn as tear
// says.
type fileChoice struct {
	keep int
	tear Tear
}

// image builds a crash image: keepNames chooses how many unsynced name
// changes of each directory survive, choose what happens to each file's
// unsynced changes. The caller holds m.mu.
func (m *MemFS) image(keepNames func(dir string, n int) int, choose func(string, *inode) fileChoice, rng *rand.Rand) *MemFS {
	ns := make(map[string]*inode, len(m.durable))
	for name, ino := range m.durable {
		ns[name] = ino
	}
	for _, dir := range sortedKeys(m.renames) {
		ops := m.renames[dir]
		applyNames(ns, ops[:keepNames(dir, len(ops))])
	}
	img := NewMemFS()
	for d := range m.dirs {
		img.dirs[d] = true
	}
	contents := map[*inode]*inode{}
	for _, name := range sortedKeys(ns) {
		ino := ns[name]
		c := contents[ino]
		if c == nil {
			data := crashContent(ino, choose(name, ino), rng)
			c = &inode{data: data, synced: append([]byte(nil), data...)}
			contents[ino] = c
		}
		img.files[name] = c
		img.durable[name] = c
	}
	return img
}

// crashContent is the content of one file after a crash.
func crashContent(ino *inode, ch fileChoice, rng *rand.Rand) []byte {
	data := append([]byte(nil), ino.synced...)
	for _, w := range ino.pending[:ch.keep] {
		data = w.apply(data)
	}
	if ch.keep < len(ino.pending) && ino.pending[ch.keep].data != nil && ch.tear != TearNone {
		data = tear(ino.pending[ch.keep], ch.tear, rng).apply(data)
	}
	return data
}

// tear returns the write as it reaches the disk when torn: a prefix ending
// on a sector boundary (possibly empty), then zeros or garbage; or, for
// TearHole, all of it but a run of whole sectors, which read as zeros.
func tear(w fileOp, mode Tear, rng *rand.Rand) fileOp {
	end := w.off + int64(len(w.data))
	cuts := []int64{w.off} // the write's start and the sector boundaries inside it
	for x := (w.off/SectorSize + 1) * SectorSize; x < end; x += SectorSize {
		cuts = append(cuts, x)
	}
	i := rng.Intn(len(cuts))
	from, to := cuts[i]-w.off, int64(len(w.data))
	if mode == TearHole && i+1 < len(cuts) {
		to = cuts[i+1+rng.Intn(len(cuts)-i-1)] - w.off
	}
	torn := fileOp{off: w.off, data: append([]byte(nil), w.data...)}
	if mode == TearGarbage {
		rng.Read(torn.data[from:to])
	} else {
		clear(torn.data[from:to])
	}
	return torn
}

func clamp(k, n int) int {
	return max(0, min(k, n))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
