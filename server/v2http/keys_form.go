package v2http

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"runtime/debug"
	"strings"
	"sync"
)

// keyForm is the parameters of contract §1.2 as r.ParseForm would leave them
// in r.Form, reduced to what the keys API reads: for each parameter whether it
// is present, and its first value, the body's before the query's (§1.2: the
// body wins for PUT and POST). Unknown parameters are dropped.
type keyForm struct {
	present [len(keyParams)]bool
	values  [len(keyParams)]string
}

// keyParams are the parameters parseKeyRequest reads.
var keyParams = [...]string{"prevIndex", "waitIndex", "recursive", "sorted", "wait", "dir", "quorum", "stream",
	"prevValue", "noValueOnSuccess", "ttl", "prevExist", "refresh", "value"}

// keyParamIndex is name's index in keyParams, or -1.
func keyParamIndex(name string) int {
	switch name {
	case "prevIndex":
		return 0
	case "waitIndex":
		return 1
	case "recursive":
		return 2
	case "sorted":
		return 3
	case "wait":
		return 4
	case "dir":
		return 5
	case "quorum":
		return 6
	case "stream":
		return 7
	case "prevValue":
		return 8
	case "noValueOnSuccess":
		return 9
	case "ttl":
		return 10
	case "prevExist":
		return 11
	case "refresh":
		return 12
	case "value":
		return 13
	}
	return -1
}

// lookup is the first value of name and whether it was given at all, as
// r.Form[name] would tell.
func (f *keyForm) lookup(name string) (string, bool) {
	i := keyParamIndex(name)
	if i < 0 {
		return "", false
	}
	return f.values[i], f.present[i]
}

// Get is url.Values.Get: the first value, or "".
func (f *keyForm) Get(name string) string {
	v, _ := f.lookup(name)
	return v
}

// readKeyForm reads the parameters, with r.ParseForm's exact outcome (its
// error text is the cause of a 210, §1.11) but without its maps when the
// request is an ordinary one: the form read directly from the query and, for
// PUT and POST with Content-Type application/x-www-form-urlencoded (or none),
// the body, under the same 10 MB cap ("http: POST too large"). Anything
// unusual goes to ParseForm itself, with the body put back as it was read:
// a parse error of any kind (a bad escape, a semicolon), another Content-Type,
// a body behind http.MaxBytesReader (which lifts Go's cap), a form already
// parsed, more parameters than Go's default limit, or a GODEBUG
// urlmaxqueryparams setting that could change that limit. r.Form stays nil
// on the direct path; nothing after parseKeyRequest reads it.
func readKeyForm(r *http.Request) (keyForm, error) {
	var f keyForm
	if !directFormOK(r) {
		return parsedKeyForm(r)
	}
	var body string
	hasBody := false
	if r.Method == http.MethodPut || r.Method == http.MethodPost {
		if ct := r.Header.Get("Content-Type"); ct == "application/x-www-form-urlencoded" {
			var err error
			if body, err = readFormBody(r.Body); err != nil {
				return f, err // ParseForm's error too: a read error comes first
			}
			hasBody = true
		} else if ct != "" { // none is application/octet-stream: no form
			return parsedKeyForm(r)
		}
	}
	if !f.add(body) || !f.add(r.URL.RawQuery) {
		if hasBody {
			r.Body = io.NopCloser(strings.NewReader(body))
		}
		return parsedKeyForm(r)
	}
	return f, nil
}

// readFormBody reads body as net/http's parsePostForm does: to the end, and
// errPostTooLarge past maxFormSize. It reads into a pooled buffer; the
// returned string is the one copy.
func readFormBody(body io.Reader) (string, error) {
	fb := formBodies.Get().(*formBody)
	defer func() {
		fb.lr.R = nil
		if fb.buf.Cap() <= maxPooledFormBody {
			fb.buf.Reset()
			formBodies.Put(fb)
		}
	}()
	fb.lr = io.LimitedReader{R: body, N: maxFormSize + 1}
	if _, err := fb.buf.ReadFrom(&fb.lr); err != nil {
		return "", err
	}
	if fb.buf.Len() > maxFormSize {
		return "", errPostTooLarge
	}
	return fb.buf.String(), nil
}

// formBody is readFormBody's reusable state. A buffer grown past
// maxPooledFormBody is dropped rather than pinned in the pool.
type formBody struct {
	buf bytes.Buffer
	lr  io.LimitedReader
}

var formBodies = sync.Pool{New: func() any { return new(formBody) }}

const maxPooledFormBody = 64 << 10

// maxFormSize is net/http's cap on an urlencoded body that is not behind an
// http.MaxBytesReader; errPostTooLarge is its error for a larger one.
const maxFormSize = 10 << 20

var errPostTooLarge = errors.New("http: POST too large")

// maxDirectParams is url.ParseQuery's default limit on the parameters of one
// query ("number of URL query parameters exceeded limit").
const maxDirectParams = 10000

var (
	// maxBytesReaderType is the type of an http.MaxBytesReader body.
	maxBytesReaderType = reflect.TypeOf(http.MaxBytesReader(nil, nil, 0))
	// defaultGODEBUGSetsURLLimit: the binary's default GODEBUG (go.mod's
	// godebug lines, //go:debug directives) sets urlmaxqueryparams.
	defaultGODEBUGSetsURLLimit = func() bool {
		bi, ok := debug.ReadBuildInfo()
		if !ok {
			return true // unknown: be safe
		}
		for _, s := range bi.Settings {
			if s.Key == "DefaultGODEBUG" && strings.Contains(s.Value, "urlmaxqueryparams") {
				return true
			}
		}
		return false
	}()
)

// directFormOK reports whether readKeyForm may read the form itself.
func directFormOK(r *http.Request) bool {
	if r.Form != nil || r.PostForm != nil || r.URL == nil || defaultGODEBUGSetsURLLimit ||
		strings.Contains(os.Getenv("GODEBUG"), "urlmaxqueryparams") {
		return false
	}
	if r.Method == http.MethodPut || r.Method == http.MethodPost {
		return r.Body != nil && reflect.TypeOf(r.Body) != maxBytesReaderType
	}
	return true
}

// add reads one urlencoded query into f as url.ParseQuery does, keeping only
// the first value of each parameter. It reports false, leaving f partly
// filled, wherever ParseQuery would fail.
func (f *keyForm) add(query string) bool {
	if strings.Count(query, "&")+1 > maxDirectParams {
		return false
	}
	for query != "" {
		var kv string
		kv, query, _ = strings.Cut(query, "&")
		if strings.IndexByte(kv, ';') >= 0 {
			return false
		}
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, okK := queryUnescape(k)
		v, okV := queryUnescape(v)
		if !okK || !okV {
			return false
		}
		if i := keyParamIndex(k); i >= 0 && !f.present[i] {
			f.present[i], f.values[i] = true, v
		}
	}
	return true
}

// queryUnescape is url.QueryUnescape, skipped for text with nothing to
// unescape.
func queryUnescape(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s, true
	}
	u, err := url.QueryUnescape(s)
	return u, err == nil
}

// parsedKeyForm is readKeyForm through r.ParseForm.
func parsedKeyForm(r *http.Request) (keyForm, error) {
	var f keyForm
	if err := r.ParseForm(); err != nil {
		return f, err
	}
	for i, name := range keyParams {
		if vs, ok := r.Form[name]; ok {
			f.present[i], f.values[i] = true, vs[0]
		}
	}
	return f, nil
}
