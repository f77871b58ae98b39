package v2http

import (
	"math"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"skiff/store"
)

// keysPrefix is where the user's key space is mounted (§1.1).
const keysPrefix = "/v2/keys"

// keyRequest is one /v2/keys request after parsing: the store request plus
// the parameters that shape the HTTP exchange rather than the store operation.
type keyRequest struct {
	store.Request
	httpMethod       string // HEAD, GET, PUT, POST or DELETE
	wait             bool
	waitIndex        uint64
	stream           bool
	quorum           bool
	noValueOnSuccess bool
}

// isWrite reports whether the request goes through raft as a write.
func (kr *keyRequest) isWrite() bool {
	switch kr.httpMethod {
	case http.MethodPut, http.MethodPost, http.MethodDelete:
		return true
	}
	return false
}

// parseKeyRequest reads every parameter of contract §1.2 from the query and
// the form body (for PUT and POST the body's value comes first, and only the
// first value of a repeated parameter counts). Each bad value is refused here,
// before the store is touched, with its code and cause and index 0; the
// parameters are checked in etcd's order, so a request with several bad
// values gets the same error etcd gives.
//
// The request is returned by value so that it can live on serveKeys' stack.
func parseKeyRequest(r *http.Request, now time.Time) (keyRequest, *store.Error) {
	form, ferr := readKeyForm(r)
	if ferr != nil {
		// A bad escape in the query or body, or a body over Go's 10 MB form
		// cap ("http: POST too large", §1.11).
		return keyRequest{}, store.ErrInvalidForm(ferr.Error(), 0)
	}
	f := &form
	kr := keyRequest{httpMethod: r.Method}
	kr.Namespace = store.Keys
	kr.Key = keyOf(r.URL.Path)
	var err *store.Error
	if kr.PrevIndex, err = uintParam(f, "prevIndex", store.EcodeIndexNaN); err != nil {
		return keyRequest{}, err
	}
	if kr.waitIndex, err = uintParam(f, "waitIndex", store.EcodeIndexNaN); err != nil {
		return keyRequest{}, err
	}
	if err = parseBools(f, &kr); err != nil {
		return keyRequest{}, err
	}
	if kr.wait && r.Method != http.MethodGet {
		return keyRequest{}, store.ErrInvalidField(`"wait" can only be used with GET requests`, 0)
	}
	if v, ok := f.lookup("prevValue"); ok && v == "" {
		return keyRequest{}, store.ErrPrevValueRequired(`"prevValue" cannot be empty`, 0)
	}
	kr.PrevValue = f.Get("prevValue")
	if kr.noValueOnSuccess, err = boolParam(f, "noValueOnSuccess"); err != nil {
		return keyRequest{}, err
	}
	if kr.TTL, err = parseTTL(f, now); err != nil {
		return keyRequest{}, err
	}
	if kr.PrevExist, err = optionalBool(f, "prevExist", "invalid value for prevExist"); err != nil {
		return keyRequest{}, err
	}
	if err = parseRefresh(f, &kr); err != nil {
		return keyRequest{}, err
	}
	kr.Value = f.Get("value")
	kr.Method = r.Method
	return kr, nil
}

// keyOf is the store key of a /v2/keys path: path.Join("/", the rest), which
// for a rest that starts with "/" is path.Clean of it; a plain rest (see
// plainPath), the usual case, only loses a trailing slash.
func keyOf(urlPath string) string {
	rest := strings.TrimPrefix(urlPath, keysPrefix)
	if rest != "" && rest[0] == '/' {
		if plainPath(rest) {
			if len(rest) > 1 && rest[len(rest)-1] == '/' {
				return rest[:len(rest)-1]
			}
			return rest
		}
		return path.Clean(rest)
	}
	return path.Join("/", rest)
}

// parseBools reads the plain boolean flags in etcd's order.
func parseBools(f *keyForm, kr *keyRequest) *store.Error {
	flags := []struct {
		name string
		dst  *bool
	}{
		{"recursive", &kr.Recursive},
		{"sorted", &kr.Sorted},
		{"wait", &kr.wait},
		{"dir", &kr.Dir},
		{"quorum", &kr.quorum},
		{"stream", &kr.stream},
	}
	for _, fl := range flags {
		v, err := boolParam(f, fl.name)
		if err != nil {
			return err
		}
		*fl.dst = v
	}
	return nil
}

// parseTTL reads ttl (§1.2): absent or empty means permanent (and clears an
// existing TTL); otherwise an unsigned number of seconds. A ttl so large that
// the expiration cannot be represented is refused with the same 202; etcd
// lets it wrap silently (§1.10), skiff does not (docs/api.md).
func parseTTL(f *keyForm, now time.Time) (store.TTL, *store.Error) {
	if f.Get("ttl") == "" {
		return store.TTL{}, nil
	}
	secs, err := strconv.ParseUint(f.Get("ttl"), 10, 64)
	if err != nil || secs > uint64(math.MaxInt64-now.UnixNano())/uint64(time.Second) {
		return store.TTL{}, store.ErrTTLNaN(`invalid value for "ttl"`, 0)
	}
	return store.TTL{Set: true, Seconds: secs}, nil
}

// parseRefresh reads refresh (§1.2): true needs a ttl (212) and no non-empty
// value (211); it keeps the value and resets the TTL without waking watchers.
func parseRefresh(f *keyForm, kr *keyRequest) *store.Error {
	refresh, err := optionalBool(f, "refresh", "invalid value for refresh")
	if err != nil || refresh == nil || !*refresh {
		return err
	}
	if f.Get("value") != "" {
		return store.ErrRefreshValue("A value was provided on a refresh", 0)
	}
	if !kr.TTL.Set {
		return store.ErrRefreshTTLRequired("No TTL value set", 0)
	}
	kr.TTL.Refresh = true
	return nil
}

// uintParam reads an unsigned parameter; present but not a number (including
// empty) is code with cause `invalid value for "name"`.
func uintParam(f *keyForm, name string, code int) (uint64, *store.Error) {
	v, ok := f.lookup(name)
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, store.NewError(code, `invalid value for "`+name+`"`, 0)
	}
	return n, nil
}

// boolParam reads a boolean with strconv.ParseBool; absent is false, and
// present but unparsable (including empty) is 209 with the cause
// `invalid value for "name"` (built only then: this runs seven times per
// request).
func boolParam(f *keyForm, name string) (bool, *store.Error) {
	v, ok := f.lookup(name)
	if !ok {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, store.ErrInvalidField(`invalid value for "`+name+`"`, 0)
	}
	return b, nil
}

// optionalBool is boolParam that tells "absent" (nil) from false, with the
// given cause.
func optionalBool(f *keyForm, name, cause string) (*bool, *store.Error) {
	v, ok := f.lookup(name)
	if !ok {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, store.ErrInvalidField(cause, 0)
	}
	return &b, nil
}
