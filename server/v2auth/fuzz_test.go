package v2auth

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzAuthAPI sends arbitrary bodies to arbitrary auth paths and methods,
// with auth off and on: the handler must never panic and never answer 5xx,
// since bad input is the client's fault (STYLE.md). Replay a failure with
// go test ./server/v2auth -run FuzzAuthAPI/<name>.
func FuzzAuthAPI(f *testing.F) {
	for _, s := range authScript {
		f.Add(s.method, s.path, s.body, false)
	}
	f.Add("PUT", "/v2/auth/roles/r", `{"role":"r","grant":{"kv":{"read":[""]}}}`, true)
	f.Add("PUT", "/v2/auth/users/u", `{"user":"u","password":"p","roles":[""]}`, true)
	f.Add("PUT", "/v2/auth/users/..", `{"user":"..","password":"p"}`, false)
	m := newFakeMember()
	a := testAuth(f, m)
	h := a.Handler()
	f.Fuzz(func(t *testing.T, method, path, body string, asRoot bool) {
		if !strings.HasPrefix(path, "/v2/auth") || strings.ContainsAny(path, " \t\r\n?#%") {
			return
		}
		req, err := http.NewRequest(method, "http://x"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		if asRoot {
			req.SetBasicAuth("root", "rootpw")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", method, path, body, rec.Code, rec.Body.String())
		}
	})
}
