package cluster

import (
	randv1 "math/rand"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"

	"skiff/wal/vfs"
)

// Crash kills member i as a power failure would: the process stops
// (Server.Kill writes nothing more) and, with Config.MemFS, its disk keeps
// only what was fsynced plus a random prefix of what was not, the first
// lost write possibly torn at a sector boundary (the rest zeros, or a hole
// of zeroed sectors). Garbage tears are left out: the WAL refuses them as
// corruption by design (docs/storage.md), so the member would have to be
// replaced, not restarted.
// Without MemFS it is Kill: the page cache survives a process crash.
// It returns what the crash left, for the test log.
func (c *Cluster) Crash(i int, rng *rand.Rand) string {
	m := c.list()[i]
	m.stop(false)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fs == nil {
		return m.Name + ": killed (page cache kept: no MemFS)"
	}
	tear := []vfs.Tear{vfs.TearNone, vfs.TearZero, vfs.TearHole}[rng.IntN(3)]
	m.fs = m.fs.CrashImage(vfs.CrashOptions{
		KeepWrites: func(_ string, n int) int { return rng.IntN(n + 1) },
		KeepNames:  func(_ string, n int) int { return rng.IntN(n + 1) },
		Tear:       tear,
		Rand:       randv1.New(randv1.NewSource(rng.Int64())), // vfs takes math/rand
	})
	return m.Name + ": crashed, unsynced writes partly lost, tear " + tear.String()
}

// CrashAll crashes every member at once (rng draws each one's image in
// turn, so the result is the same for the same seed).
func (c *Cluster) CrashAll(rng *rand.Rand) []string {
	var wg sync.WaitGroup
	for _, m := range c.list() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.stop(false)
		}()
	}
	wg.Wait()
	var out []string
	for i := range c.list() {
		out = append(out, c.Crash(i, rng))
	}
	return out
}

// DumpDisks copies every member's MemFS to the real file system under dir
// (dir/<path as the member saw it>), so a failing run's WALs and
// snapshots can be inspected (skiffctl, wal.Dump). Without MemFS the data
// dirs are on disk already and nothing is done.
func (c *Cluster) DumpDisks(dir string) error {
	for _, m := range c.list() {
		m.mu.Lock()
		fs := m.fs
		m.mu.Unlock()
		if fs == nil {
			continue
		}
		for _, name := range fs.Files() {
			data, err := vfs.ReadFile(fs, name)
			if err != nil {
				return err
			}
			dst := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(dst, data, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}
