package store

import (
	"testing"
	"time"
)

// FuzzRecovery feeds arbitrary bytes to Recovery, as a damaged or hostile
// snapshot would. It must never panic; what it accepts must save back to the
// same bytes and take further operations.
func FuzzRecovery(f *testing.F) {
	s := New()
	for _, line := range []string{"PUT /a/b value=1 ttl=5", "PUT /d dir=true", "POST /q value=x", "DELETE /a recursive=true"} {
		if _, err := s.Apply(parseRequest(f, line)); err != nil {
			f.Fatal(err)
		}
	}
	data, err := s.Save()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{"version":1,"index":0,"namespaces":[{"key":"/","dir":true,"createdIndex":0,"modifiedIndex":0},{"key":"/","dir":true,"createdIndex":0,"modifiedIndex":0},{"key":"/","dir":true,"createdIndex":0,"modifiedIndex":0}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := New()
		if err := s.Recovery(data); err != nil {
			return
		}
		saved, err := s.Save()
		if err != nil {
			t.Fatalf("save after recovery: %v", err)
		}
		again := New()
		if err := again.Recovery(saved); err != nil {
			t.Fatalf("a snapshot the store saved does not recover: %v\n%s", err, saved)
		}
		if again.Hash() != s.Hash() {
			t.Fatalf("recovered state differs:\n%s\n%s", s.Dump(), again.Dump())
		}
		s.Get(Keys, "/", true, true, t0)
		s.DeleteExpiredKeys(t0.Add(1000 * time.Hour))
		if _, err := s.Set(Keys, "/after", false, "v", TTL{}, t0); err != nil && Code(err) != EcodeNotDir && Code(err) != EcodeNotFile {
			t.Fatalf("set after recovery: %v", err)
		}
		if w, err := s.Watch(Keys, "/", true, true, 1); err == nil {
			w.Remove()
		}
	})
}
