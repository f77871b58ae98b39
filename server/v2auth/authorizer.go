package v2auth

import (
	"net/http"
	"slices"
	"strings"
)

// CanAccessKey reports whether the caller of r may read (or, with write,
// write) key, a path of the keys API such as "/app/x" (contract §4). It
// makes *Auth a v2http.Authorizer. For a /v2/keys request the key is taken
// from the URL as etcd takes it (keyAsEtcdChecksIt).
//
//   - Auth off: everyone may do anything.
//   - No credentials: the guest role decides. As in etcd, the guest role is
//     checked with the plain pattern match even for a recursive request.
//   - Credentials that do not check out: refused, with no fallback to guest.
//   - A user: allowed if any of its roles allows; a recursive request needs
//     a pattern ending in "*" (HasRecursiveAccess).
func (a *Auth) CanAccessKey(r *http.Request, key string, recursive, write bool) bool {
	if !a.Enabled() {
		return true
	}
	key = keyAsEtcdChecksIt(r, key)
	user, ok := a.caller(r)
	if !ok {
		return false
	}
	if user == nil {
		guest, err := a.GetRole(GuestRole)
		return err == nil && guest.HasKeyAccess(key, write)
	}
	for _, name := range user.Roles {
		role, err := a.GetRole(name)
		if err != nil {
			continue // a granted role that does not exist grants nothing
		}
		if recursive && role.HasRecursiveAccess(key, write) || !recursive && role.HasKeyAccess(key, write) {
			return true
		}
	}
	return false
}

// keysPrefix is the keys API's path prefix (contract §1).
const keysPrefix = "/v2/keys"

// keyAsEtcdChecksIt returns the key the way etcd matches it against
// patterns: the request path after /v2/keys, uncleaned. A trailing slash
// counts ("/app/" is matched by "/app/*", so `etcdctl ls /app/` works for a
// role granted /app/*) and /v2/keys itself is the empty key, which "/*" does
// not match; both probed on etcd 3.4.23. A request from elsewhere keeps
// the key it was given.
func keyAsEtcdChecksIt(r *http.Request, key string) string {
	if rest, ok := strings.CutPrefix(r.URL.Path, keysPrefix); ok && (rest == "" || rest[0] == '/') {
		return rest
	}
	return key
}

// IsRoot reports whether auth is off or the caller of r has the root role:
// the test for member changes and the /v2/auth endpoints (contract §3, §4).
// Guests are never root.
func (a *Auth) IsRoot(r *http.Request) bool {
	if !a.Enabled() {
		return true
	}
	user, ok := a.caller(r)
	return ok && user != nil && slices.Contains(user.Roles, RootRole)
}

// caller identifies who sent r: (nil, true) for a guest, (user, true) for a
// user whose credentials check out, (nil, false) for credentials that do
// not. Basic credentials come first; without an Authorization header, and
// with client-cert auth on, the first verified certificate whose common
// name is a user's names the caller, as in etcd.
func (a *Auth) caller(r *http.Request) (*User, bool) {
	if r.Header.Get("Authorization") == "" {
		if u := a.userFromCertificate(r); u != nil {
			return u, true
		}
		return nil, true
	}
	name, password, ok := r.BasicAuth()
	if !ok {
		a.cfg.Logger.Debug("v2auth: malformed Authorization header", "remote", r.RemoteAddr)
		return nil, false
	}
	u, err := a.GetUser(name)
	if err != nil {
		a.cfg.Logger.Debug("v2auth: unknown user", "user", name, "remote", r.RemoteAddr)
		return nil, false
	}
	if !a.CheckPassword(u, password) {
		a.cfg.Logger.Debug("v2auth: wrong password", "user", name, "remote", r.RemoteAddr)
		return nil, false
	}
	return &u, true
}

func (a *Auth) userFromCertificate(r *http.Request) *User {
	if !a.cfg.ClientCertAuth || r.TLS == nil {
		return nil
	}
	for _, chain := range r.TLS.VerifiedChains {
		for _, cert := range chain {
			if u, err := a.GetUser(cert.Subject.CommonName); err == nil {
				return &u
			}
		}
	}
	return nil
}
