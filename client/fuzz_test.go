package client

import (
	"net/http"
	"testing"
)

// FuzzDecodeAnswers: whatever a server sends, decoding gives a Response or
// an error, never a panic; a failure status is always an error, and a
// success status never decodes into an *Error.
func FuzzDecodeAnswers(f *testing.F) {
	f.Add(200, []byte(setReply))
	f.Add(404, []byte(`{"errorCode":100,"message":"Key not found","cause":"/a","index":5}`))
	f.Add(400, []byte(`{"errorCode":401,"message":"m","cause":"c","index":18446744073709551615}`))
	f.Add(409, []byte(`{"message":"auth: already disabled"}`))
	f.Add(200, []byte(`{"action":"get","node":{"dir":true,"nodes":[{"key":"/a","expiration":"bad"}]}}`))
	f.Add(500, []byte("\xff\xfe"))
	f.Add(201, []byte(``))
	ep, _ := parseEndpoints([]string{"http://127.0.0.1:2379"})
	r := &request{method: http.MethodGet, path: "/v2/keys/a"}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 999 {
			return
		}
		resp := &http.Response{StatusCode: status, Header: http.Header{"X-Etcd-Index": {string(body)}}}
		res, err := decodeKeysResponse(r, resp, ep[0], body)
		if (res == nil) == (err == nil) {
			t.Fatalf("status %d: got both or neither: %v, %v", status, res, err)
		}
		if status/100 != 2 && err == nil {
			t.Fatalf("status %d decoded as success", status)
		}
		e := decodeError(status, body)
		if e.StatusCode != status || e.Error() == "" {
			t.Fatalf("decodeError(%d) = %#v", status, e)
		}
	})
}
