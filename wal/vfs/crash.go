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
)

func (t Tear) String() string {
	return [...]string{"none", "zero", "garbage"}[t]
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
	ns := make(map[string]*inode, len(m.durable))
	for name, ino := range m.durable {
		ns[name] = ino
	}
	for _, dir := range sortedKeys(m.renames) {
		ops := m.renames[dir]
		k := 0
		if o.KeepNames != nil {
			k = clamp(o.KeepNames(dir, len(ops)), len(ops))
		}
		applyNames(ns, ops[:k])
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
			data := crashContent(name, ino, o)
			c = &inode{data: data, synced: append([]byte(nil), data...)}
			contents[ino] = c
		}
		img.files[name] = c
		img.durable[name] = c
	}
	return img
}

// crashContent is the content of one file after a crash.
func crashContent(name string, ino *inode, o CrashOptions) []byte {
	data := append([]byte(nil), ino.synced...)
	n := len(ino.pending)
	k := 0
	if o.KeepWrites != nil {
		k = clamp(o.KeepWrites(name, n), n)
	}
	for _, w := range ino.pending[:k] {
		data = w.apply(data)
	}
	if k < n && ino.pending[k].data != nil && o.Tear != TearNone {
		data = tear(ino.pending[k], o).apply(data)
	}
	return data
}

// tear returns the write as it reaches the disk when torn: a prefix ending
// on a sector boundary (possibly empty), then zeros or garbage.
func tear(w fileOp, o CrashOptions) fileOp {
	end := w.off + int64(len(w.data))
	var cuts []int64 // sector boundaries inside the write, and its start
	cuts = append(cuts, w.off)
	for x := (w.off/SectorSize + 1) * SectorSize; x < end; x += SectorSize {
		cuts = append(cuts, x)
	}
	cut := cuts[o.Rand.Intn(len(cuts))] - w.off
	torn := fileOp{off: w.off, data: append([]byte(nil), w.data...)}
	rest := torn.data[cut:]
	if o.Tear == TearZero {
		clear(rest)
	} else {
		o.Rand.Read(rest)
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
