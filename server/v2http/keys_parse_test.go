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
		"/a/b/c/", "/_hidden", "/a%2fb", "/ü/日本", "//a//", "/a/b/../../c", "/a.", "/.a", "/a/..b/", "/...", "/a/.", "/a/.."}
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

// TestCleanPathIsServeMuxClean: cleanPath's shortcut for plain paths gives
// what cleaning them fully (path.Clean, trailing slash kept) gives.
func TestCleanPathIsServeMuxClean(t *testing.T) {
	for _, p := range []string{"", "/", "//", "/a", "/a/", "a", "a/", "/a//b", "/a/./b", "/a/../b", "/../..", "/.", "/..",
		"/v2/keys/a/b/c/", "/v2/keys/_hidden", "/ü/日本", "//a//", "/a.", "/.a", "/a/..b/", "/...", "/a/.", "/a/.."} {
		if got, want := cleanPath(p), cleanPathFully(p); got != want {
			t.Errorf("cleanPath(%q) = %q, want %q", p, got, want)
		}
	}
}

// FuzzCleanPath compares cleanPath with cleaning fully.
func FuzzCleanPath(f *testing.F) {
	f.Add("/v2/keys/a/../b/")
	f.Fuzz(func(t *testing.T, p string) {
		if got, want := cleanPath(p), cleanPathFully(p); got != want {
			t.Fatalf("cleanPath(%q) = %q, want %q", p, got, want)
		}
	})
}
