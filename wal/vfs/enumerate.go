package vfs

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
)

// CrashImages calls f with each disk image that a crash at this moment
// could leave under the model: every combination of
//   - for each file with unsynced changes, a prefix of them reaching the
//     disk, the next one (if a write) lost, torn with zeros or garbage
//     after a sector boundary, or holed (a run of its sectors missing),
//     with the sectors chosen with rng; and
//   - for each directory with unsynced creates, renames and removes, a
//     prefix of them.
//
// If there are more than limit combinations, limit of them are drawn at
// random. desc names the choices, for failure messages. f runs without
// MemFS's lock held.
func (m *MemFS) CrashImages(rng *rand.Rand, limit int, f func(desc string, img *MemFS)) {
	m.mu.Lock()
	files := m.pendingFiles()
	dirs := sortedKeys(m.renames)
	var radix []int // the number of choices for each file, then each directory
	for _, pf := range files {
		radix = append(radix, len(pf.choices))
	}
	for _, d := range dirs {
		radix = append(radix, len(m.renames[d])+1)
	}
	combos := combinations(radix, limit, rng)
	type built struct {
		desc string
		img  *MemFS
	}
	var images []built
	for _, combo := range combos {
		chosen := map[*inode]fileChoice{}
		var desc strings.Builder
		for i, pf := range files {
			ch := pf.choices[combo[i]]
			chosen[pf.ino] = ch
			fmt.Fprintf(&desc, "%s: keep %d of %d, tear %s; ", pf.name, ch.keep, len(pf.ino.pending), ch.tear)
		}
		keepNames := map[string]int{}
		for j, d := range dirs {
			keepNames[d] = combo[len(files)+j]
			fmt.Fprintf(&desc, "dir %s: keep %d of %d names; ", d, keepNames[d], len(m.renames[d]))
		}
		img := m.image(func(dir string, _ int) int { return keepNames[dir] },
			func(_ string, ino *inode) fileChoice { return chosen[ino] }, rng)
		images = append(images, built{desc.String(), img})
	}
	m.mu.Unlock()
	for _, b := range images {
		f(b.desc, b.img)
	}
}

// pendingFile is a file with unsynced changes and what a crash may do to
// them.
type pendingFile struct {
	name    string
	ino     *inode
	choices []fileChoice
}

// pendingFiles lists the files with unsynced changes, by their first name
// (live or durable), with every fileChoice a crash allows for each.
func (m *MemFS) pendingFiles() []pendingFile {
	seen := map[*inode]string{}
	note := func(name string, ino *inode) {
		if ino == nil || len(ino.pending) == 0 {
			return
		}
		if old, ok := seen[ino]; !ok || name < old {
			seen[ino] = name
		}
	}
	for name, ino := range m.files {
		note(name, ino)
	}
	for name, ino := range m.durable {
		note(name, ino)
	}
	var files []pendingFile
	for ino, name := range seen {
		pf := pendingFile{name: name, ino: ino}
		for k := 0; k <= len(ino.pending); k++ {
			pf.choices = append(pf.choices, fileChoice{keep: k})
			if k < len(ino.pending) && ino.pending[k].data != nil {
				for _, t := range []Tear{TearZero, TearGarbage, TearHole} {
					pf.choices = append(pf.choices, fileChoice{keep: k, tear: t})
				}
			}
		}
		files = append(files, pf)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	return files
}

// combinations returns every vector c with 0 ≤ c[i] < radix[i], or limit
// random ones if there are more than limit.
func combinations(radix []int, limit int, rng *rand.Rand) [][]int {
	total := 1
	for _, r := range radix {
		total *= r
		if total > limit {
			break
		}
	}
	var out [][]int
	if total > limit {
		for range limit {
			c := make([]int, len(radix))
			for i, r := range radix {
				c[i] = rng.Intn(r)
			}
			out = append(out, c)
		}
		return out
	}
	c := make([]int, len(radix))
	for {
		out = append(out, append([]int(nil), c...))
		i := 0
		for ; i < len(radix); i++ { // mixed-radix increment
			if c[i]++; c[i] < radix[i] {
				break
			}
			c[i] = 0
		}
		if i == len(radix) {
			return out
		}
	}
}
