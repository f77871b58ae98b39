package v2http

import (
	"path"
	"strings"
	"testing"
)

// TestKeyOfIsPathJoin: keyOf's shortcut gives path.Join("/", rest) for every
// kind of path the mux can route to /v2/keys.
func TestKeyOfIsPathJoin(t *testing.T) {
	rests := []string{"", "/", "//", "/a", "/a/", "a", "/a//b", "/a/./b", "/a/../b", "/../..", "/.", "/..",
		"/a/b/c/", "/_hidden", "/a%2fb", "/ü/日本", "//a//", "/a/b/../../c"}
	for _, rest := range rests {
		for _, p := range []string{keysPrefix + rest, rest} {
			if got, want := keyOf(p), path.Join("/", strings.TrimPrefix(p, keysPrefix)); got != want {
				t.Errorf("keyOf(%q) = %q, path.Join gives %q", p, got, want)
			}
		}
	}
}

// FuzzKeyOf compares keyOf with path.Join on arbitrary paths.
func FuzzKeyOf(f *testing.F) {
	f.Add("/v2/keys/a/../b")
	f.Fuzz(func(t *testing.T, p string) {
		if got, want := keyOf(p), path.Join("/", strings.TrimPrefix(p, keysPrefix)); got != want {
			t.Fatalf("keyOf(%q) = %q, path.Join gives %q", p, got, want)
		}
	})
}
