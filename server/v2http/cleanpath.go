package v2http

import (
	"net/http"
	"net/url"
	"path"
	"strings"
)

// redirectUnclean answers a request whose path is not clean ("//", ".",
// "..") with 301 Moved Permanently to the cleaned path, and reports that it
// did: such a request is not served (§1.1). etcd gets this from the ServeMux
// of the Go it was built with; the ServeMux of current Go answers 307
// instead, so skiff does it itself to keep etcd's status.
func redirectUnclean(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodConnect {
		return false
	}
	p := cleanPath(r.URL.Path)
	if p == r.URL.Path {
		return false
	}
	u := url.URL{Path: p, RawQuery: r.URL.RawQuery}
	http.Redirect(w, r, u.String(), http.StatusMovedPermanently)
	return true
}

// cleanPath is path.Clean that keeps a trailing slash, as ServeMux cleans.
func cleanPath(p string) string {
	if p != "" && p[0] == '/' && plainPath(p) {
		return p // the usual case, found without Clean's copy-as-you-go scan
	}
	return cleanPathFully(p)
}

// cleanPathFully is cleanPath without the shortcut.
func cleanPathFully(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if strings.HasSuffix(p, "/") && np != "/" {
		np += "/"
	}
	return np
}

// plainPath reports whether p, which starts with "/", has no element that
// path.Clean would remove: no empty one ("//"), and none that starts with a
// dot (which rules out "." and "..", and a few harmless names with them). Of
// such a path Clean only drops a trailing slash.
func plainPath(p string) bool {
	return !strings.Contains(p, "//") && !strings.Contains(p, "/.")
}
