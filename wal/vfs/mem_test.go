package vfs

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"path/filepath"
	"syscall"
	"testing"
)

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, f File, s string, off int64) {
	t.Helper()
	_, err := f.WriteAt([]byte(s), off)
	mustDo(t, err)
}

func content(t *testing.T, m *MemFS, name string) string {
	t.Helper()
	b, err := ReadFile(m, name)
	mustDo(t, err)
	return string(b)
}

func TestCrashKeepsOnlyWhatWasSynced(t *testing.T) {
	m := NewMemFS()
	mustDo(t, m.MkdirAll("/d"))
	f, err := m.Create("/d/f")
	mustDo(t, err)
	write(t, f, "synced", 0)
	mustDo(t, f.Sync())
	write(t, f, "+lost", 6)

	if img := m.CrashImage(CrashOptions{}); len(img.Files()) != 0 {
		t.Fatalf("a file whose name was never made durable survived: %v", img.Files())
	}
	mustDo(t, m.SyncDir("/d"))
	if got := content(t, m.CrashImage(CrashOptions{}), "/d/f"); got != "synced" {
		t.Fatalf("durable image holds %q", got)
	}
	if got := content(t, m.CrashImage(CrashOptions{KeepWrites: KeepAll}), "/d/f"); got != "synced+lost" {
		t.Fatalf("keep-all image holds %q", got)
	}
	if got := content(t, m, "/d/f"); got != "synced+lost" {
		t.Fatalf("live file holds %q", got)
	}
}

func TestFailedSyncLosesWritesForGood(t *testing.T) {
	// fsyncgate: after a failed fsync the data stays readable but is not
	// on disk, and a later successful fsync does not put it there.
	m := NewMemFS()
	f, err := m.Create("/f")
	mustDo(t, err)
	mustDo(t, m.SyncDir("/"))
	write(t, f, "a", 0)
	m.SetFault(func(op Op) error {
		if op.Kind == OpSync {
			return syscall.EIO
		}
		return nil
	})
	if err := f.Sync(); !errors.Is(err, syscall.EIO) {
		t.Fatalf("Sync: got %v, want EIO", err)
	}
	m.SetFault(nil)
	mustDo(t, f.Sync())
	if got := content(t, m, "/f"); got != "a" {
		t.Fatalf("live content %q, want the write still visible", got)
	}
	if got := content(t, m.CrashImage(CrashOptions{KeepWrites: KeepAll}), "/f"); got != "" {
		t.Fatalf("after a crash the file holds %q, want the write lost", got)
	}
}

func TestUnsyncedRenameIsLost(t *testing.T) {
	m := NewMemFS()
	f, err := m.Create("/a.tmp")
	mustDo(t, err)
	write(t, f, "x", 0)
	mustDo(t, f.Sync())
	mustDo(t, m.SyncDir("/"))
	mustDo(t, m.Rename("/a.tmp", "/a"))
	if got := m.CrashImage(CrashOptions{}).Files(); len(got) != 1 || got[0] != "/a.tmp" {
		t.Fatalf("without SyncDir the image holds %v, want the old name", got)
	}
	if got := m.CrashImage(CrashOptions{KeepNames: KeepAll}).Files(); len(got) != 1 || got[0] != "/a" {
		t.Fatalf("keeping names the image holds %v, want the new name", got)
	}
}

func TestHoleTearZeroesWholeSectorsOnly(t *testing.T) {
	m := NewMemFS()
	f, err := m.Create("/f")
	mustDo(t, err)
	mustDo(t, m.SyncDir("/"))
	data := bytes.Repeat([]byte{0xaa}, 4*SectorSize)
	_, err = f.WriteAt(data, 100)
	mustDo(t, err)
	for seed := int64(0); seed < 30; seed++ {
		img := m.CrashImage(CrashOptions{Tear: TearHole, Rand: rand.New(rand.NewSource(seed))})
		got, _ := ReadFile(img, "/f")
		for i := 100; i < len(got); i++ {
			// Every zero byte lies in a run that starts at the write's
			// start or on a sector boundary.
			if got[i] == 0 && got[i-1] != 0 && i != 100 && i%SectorSize != 0 {
				t.Fatalf("seed %d: a hole starts at %d, not on a sector boundary", seed, i)
			}
		}
	}
}

func TestTornWritesKeepASectorAlignedPrefix(t *testing.T) {
	for _, tear := range []Tear{TearZero, TearGarbage} {
		m := NewMemFS()
		f, err := m.Create("/f")
		mustDo(t, err)
		mustDo(t, m.SyncDir("/"))
		data := bytes.Repeat([]byte{0xaa}, 3*SectorSize)
		_, err = f.WriteAt(data, 100)
		mustDo(t, err)
		for seed := int64(0); seed < 20; seed++ {
			img := m.CrashImage(CrashOptions{Tear: tear, Rand: rand.New(rand.NewSource(seed))})
			got, _ := ReadFile(img, "/f")
			if len(got) != 100+len(data) {
				t.Fatalf("torn file has %d bytes, want %d", len(got), 100+len(data))
			}
			kept := 100
			for kept < len(got) && got[kept] == 0xaa {
				kept++
			}
			if kept != 100 && kept%SectorSize != 0 && kept != len(got) {
				t.Fatalf("tear %s kept up to %d, not a sector boundary", tear, kept)
			}
			if tear == TearZero && !bytes.Equal(got[kept:], make([]byte, len(got)-kept)) {
				t.Fatalf("zero tear left non-zero bytes after %d", kept)
			}
		}
	}
}

func TestOSLockIsExclusiveAndNamesTheHolder(t *testing.T) {
	name := filepath.Join(t.TempDir(), "LOCK")
	l, err := OS.Lock(name)
	mustDo(t, err)
	if _, err := OS.Lock(name); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Lock: got %v, want ErrLocked", err)
	}
	mustDo(t, l.Close())
	l, err = OS.Lock(name)
	mustDo(t, err)
	mustDo(t, l.Close())
}

func TestCrashImagesEnumeratesEveryCombination(t *testing.T) {
	m := NewMemFS()
	f, err := m.Create("/f")
	mustDo(t, err)
	mustDo(t, m.SyncDir("/"))
	write(t, f, "one", 0)
	write(t, f, "two", 3)
	g, err := m.Create("/g") // one unsynced name
	mustDo(t, err)
	g.Close()
	seen := map[string]bool{}
	contents := map[string]bool{}
	m.CrashImages(rand.New(rand.NewSource(1)), 100, func(desc string, img *MemFS) {
		if seen[desc] {
			t.Fatalf("image %q built twice", desc)
		}
		seen[desc] = true
		b, _ := ReadFile(img, "/f")
		contents[fmt.Sprintf("%q %v", b, len(img.Files()))] = true
	})
	// /f: keep 0 (lost, zero, garbage, hole), keep 1 (same four), keep 2;
	// /g present or not.
	if len(seen) != 9*2 {
		t.Fatalf("%d images, want 18", len(seen))
	}
	for _, want := range []string{`"" 1`, `"one" 1`, `"onetwo" 2`} {
		if !contents[want] {
			t.Errorf("no image with /f = %s files", want)
		}
	}
	n := 0
	m.CrashImages(rand.New(rand.NewSource(1)), 5, func(string, *MemFS) { n++ })
	if n != 5 {
		t.Fatalf("with limit 5, got %d images", n)
	}
}
