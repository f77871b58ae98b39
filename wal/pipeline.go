package wal

import (
	"fmt"
	"path/filepath"

	"skiff/wal/vfs"
)

// pipeline prepares the next segment ahead of time: a temporary file
// (0.tmp or 1.tmp, alternately) already preallocated to the segment size,
// so that a cut does not wait for the allocation. In inline mode it
// prepares in the caller's goroutine, when the file is taken.
type pipeline struct {
	fs     vfs.FS
	dir    string
	size   int64
	inline bool
	count  int

	files chan prepared
	done  chan struct{}
}

type prepared struct {
	f    vfs.File
	name string
	err  error
}

func newPipeline(fsys vfs.FS, dir string, size int64, inline bool) *pipeline {
	p := &pipeline{fs: fsys, dir: dir, size: size, inline: inline}
	if !inline {
		p.files = make(chan prepared)
		p.done = make(chan struct{})
		go p.run()
	}
	return p
}

// take returns a prepared file and its name.
func (p *pipeline) take() (vfs.File, string, error) {
	var r prepared
	if p.inline {
		r = p.prepare()
	} else if got, ok := <-p.files; ok {
		r = got
	} else {
		r.err = fmt.Errorf("preparing the next segment in %s: the preparer stopped", p.dir)
	}
	return r.f, r.name, r.err
}

func (p *pipeline) run() {
	defer close(p.files)
	for {
		select {
		case <-p.done:
			return
		default:
		}
		r := p.prepare()
		select {
		case p.files <- r:
			if r.err != nil {
				return
			}
		case <-p.done:
			p.discard(r)
			return
		}
	}
}

func (p *pipeline) discard(r prepared) {
	if r.f != nil {
		r.f.Close()
		_ = p.fs.Remove(r.name)
	}
}

func (p *pipeline) prepare() prepared {
	name := filepath.Join(p.dir, fmt.Sprintf("%d.tmp", p.count%2))
	p.count++
	f, err := p.fs.Create(name)
	if err != nil {
		return prepared{err: fmt.Errorf("preparing the next segment %s: %w", name, err)}
	}
	if err := f.Preallocate(p.size); err != nil {
		f.Close()
		_ = p.fs.Remove(name)
		return prepared{err: fmt.Errorf("preallocating the next segment %s: %w", name, err)}
	}
	return prepared{f: f, name: name}
}

// close stops the pipeline and removes the file it prepared.
func (p *pipeline) close() {
	if p.inline {
		return
	}
	close(p.done)
	for r := range p.files { // until run returns
		p.discard(r)
	}
}
