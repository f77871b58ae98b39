package v2http

import (
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestKeyFormMatchesParseForm: readKeyForm, which reads ordinary forms
// itself, gives what r.ParseForm gives (presence and first value of every
// parameter, body before query, and the error text) for random queries and
// bodies made of parameter names, escapes good and bad, semicolons, + and
// empty pairs, under every method and several Content-Types. A failure
// prints the seed.
func TestKeyFormMatchesParseForm(t *testing.T) {
	for seed := uint64(1); seed <= 5000; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0xf0f0))
		methods := []string{"GET", "PUT", "POST", "DELETE", "HEAD"}
		cts := []string{"application/x-www-form-urlencoded", "application/x-www-form-urlencoded", "",
			"application/x-www-form-urlencoded; charset=utf-8", "text/plain", "multipart/form-data; boundary=x", "bad/;;"}
		requireSameKeyForm(t, methods[rng.IntN(len(methods))], cts[rng.IntN(len(cts))],
			randForm(rng), randForm(rng), "seed %d (go test -run TestKeyFormMatchesParseForm ./server/v2http)", seed)
	}
}

// FuzzKeyForm compares readKeyForm with ParseForm on arbitrary input.
func FuzzKeyForm(f *testing.F) {
	f.Add(uint8(1), "value=a&value=b", "value=c&ttl=5&prevValue=")
	f.Add(uint8(2), "val%75e=%zz", "a;b")
	f.Add(uint8(1), "value=a+b%20c&&=x&dir", "refresh=true&ttl=")
	f.Fuzz(func(t *testing.T, m uint8, body, query string) {
		methods := []string{"GET", "PUT", "POST", "DELETE"}
		requireSameKeyForm(t, methods[int(m)%len(methods)], "application/x-www-form-urlencoded", body, query, "fuzz")
	})
}

// TestKeyFormCaps: the 10 MB cap gives ParseForm's error; a body behind
// http.MaxBytesReader (no Go cap) and a GODEBUG urlmaxqueryparams go through
// ParseForm itself; more parameters than Go's default limit fail alike.
func TestKeyFormCaps(t *testing.T) {
	big := "value=" + strings.Repeat("v", maxFormSize)
	requireSameKeyForm(t, "PUT", "application/x-www-form-urlencoded", big, "", "over 10 MB")
	requireSameKeyForm(t, "PUT", "application/x-www-form-urlencoded", big[:maxFormSize], "ttl=1", "10 MB")
	many := strings.Repeat("a=1&", maxDirectParams)
	requireSameKeyForm(t, "PUT", "application/x-www-form-urlencoded", many, many[:len(many)-1], "10000 params")
	requireSameKeyForm(t, "PUT", "application/x-www-form-urlencoded", "value=1", many, "10001 params")

	r := newFormRequest("PUT", "application/x-www-form-urlencoded", big, "")
	r.Body = http.MaxBytesReader(nil, r.Body, 20<<20)
	if directFormOK(r) {
		t.Error("a body behind http.MaxBytesReader is read directly; ParseForm reads it without a cap")
	}
	t.Setenv("GODEBUG", "urlmaxqueryparams=3")
	if directFormOK(newFormRequest("GET", "", "", "a=1")) {
		t.Error("with GODEBUG urlmaxqueryparams set the form is read directly")
	}
}

func requireSameKeyForm(t *testing.T, method, ct, body, query string, format string, args ...any) {
	t.Helper()
	got, gotErr := readKeyForm(newFormRequest(method, ct, body, query))
	want, wantErr := parsedKeyForm(newFormRequest(method, ct, body, query))
	if errText(gotErr) != errText(wantErr) || (wantErr == nil && got != want) {
		t.Fatalf(format+": %s %q body %q (Content-Type %q):\nreadKeyForm: %+v, %v\nParseForm:   %+v, %v",
			append(args, method, query, trim(body), ct, got, gotErr, want, wantErr)...)
	}
}

func newFormRequest(method, ct, body, query string) *http.Request {
	r := &http.Request{Method: method, URL: &url.URL{Path: "/v2/keys/a", RawQuery: query},
		Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body))}
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	}
	return r
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func trim(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// randForm joins random pairs of parameter names (some escaped), values and
// the characters url.ParseQuery treats specially.
func randForm(rng *rand.Rand) string {
	names := []string{"value", "ttl", "prevValue", "prevExist", "dir", "wait", "quorum", "val%75e", "v%61lue", "x", "",
		"value+", "%zz", "refresh", "prevIndex", "waitIndex", "recursive", "sorted", "stream", "noValueOnSuccess"}
	vals := []string{"", "1", "true", "a+b", "%20", "%zz", "%2", "%", "x;y", "=", "%e6%97%a5", "\xff", "-1", "5", "false"}
	var b strings.Builder
	for i := range rng.IntN(6) {
		if i > 0 || rng.IntN(4) == 0 {
			b.WriteByte('&')
		}
		b.WriteString(names[rng.IntN(len(names))])
		if rng.IntN(5) > 0 {
			b.WriteByte('=')
			b.WriteString(vals[rng.IntN(len(vals))])
		}
	}
	return b.String()
}
