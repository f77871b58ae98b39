package v2auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"

	"skiff/server/limits"
)

// maxBodyBytes caps an auth request's JSON body. A user or role document is
// a few hundred bytes; 64 KiB leaves room for a role with hundreds of
// patterns while a client cannot make the member buffer megabytes.
const maxBodyBytes = 64 << 10

const authPrefix = "/v2/auth"

// Handler returns the /v2/auth API (contract §4), to be mounted at
// "/v2/auth" and "/v2/auth/" (v2http.Config.AuthHandler). Paths it does not
// know are the plain "404 page not found".
func (a *Auth) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(authPrefix+"/enable", a.serveEnable)
	mux.HandleFunc(authPrefix+"/users", a.serveUsers)
	mux.HandleFunc(authPrefix+"/users/", a.serveUsersPath)
	mux.HandleFunc(authPrefix+"/roles", a.serveRoles)
	mux.HandleFunc(authPrefix+"/roles/", a.serveRolesPath)
	return mux
}

// enabledReply is GET /v2/auth/enable's document.
type enabledReply struct {
	Enabled bool `json:"enabled"`
}

// serveEnable is /v2/auth/enable: GET is open to all; PUT and DELETE need
// root once auth is on (contract §4).
func (a *Auth) serveEnable(w http.ResponseWriter, r *http.Request) {
	if !limits.AllowMethod(w, r.Method, "GET", "PUT", "DELETE") {
		return
	}
	if r.Method != http.MethodGet && !a.IsRoot(r) {
		writeNoAuth(w)
		return
	}
	a.setReplyHeaders(w)
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, enabledReply{a.Enabled()})
	case http.MethodPut:
		a.writeResult(w, a.EnableAuth(r.Context()))
	case http.MethodDelete:
		a.writeResult(w, a.DisableAuth(r.Context()))
	}
}

// nameFromPath splits "/v2/auth/<kind>/<name>" after cleaning; ok is false
// for a deeper path, which etcd answers with 400 "Invalid path". An empty
// name means the collection itself.
func nameFromPath(p string) (name string, ok bool) {
	pieces := strings.Split(path.Clean(p[len(authPrefix):]), "/")
	switch len(pieces) {
	case 2:
		return "", true
	case 3:
		return pieces[2], true
	}
	return "", false
}

// admit is the front of every endpoint but /v2/auth/enable: 405 unless the
// method is allowed, 401 unless the caller is root (or auth is off), then
// the reply headers. It reports whether to go on.
func (a *Auth) admit(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	if !limits.AllowMethod(w, r.Method, methods...) {
		return false
	}
	if !a.IsRoot(r) {
		writeNoAuth(w)
		return false
	}
	a.setReplyHeaders(w)
	return true
}

// admitItem is admit for /v2/auth/users/<name> and /v2/auth/roles/<name>,
// after the path: a deeper path is 400 "Invalid path" and an empty name is
// the collection, served by collection. It returns the name and whether to
// go on.
func (a *Auth) admitItem(w http.ResponseWriter, r *http.Request, collection http.HandlerFunc) (string, bool) {
	name, ok := nameFromPath(r.URL.Path)
	switch {
	case !ok:
		limits.WriteMessage(w, http.StatusBadRequest, "Invalid path")
		return "", false
	case name == "":
		collection(w, r)
		return "", false
	}
	return name, a.admit(w, r, "GET", "PUT", "DELETE")
}

func (a *Auth) setReplyHeaders(w http.ResponseWriter) {
	w.Header().Set("X-Etcd-Cluster-Id", a.cfg.Member.ClusterID().String())
	w.Header().Set("Content-Type", "application/json")
}

// decodeBody reads r's JSON body into v, capped at maxBodyBytes. It writes
// the error reply itself and reports whether to go on.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes)).Decode(v)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		limits.WriteMessage(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("auth: request body larger than %d bytes", maxBodyBytes))
		return false
	case err != nil:
		limits.WriteMessage(w, http.StatusBadRequest, "Invalid JSON in request body.")
		return false
	}
	return true
}

// writeResult answers a change with no document: 200 and an empty body, or
// the error.
func (a *Auth) writeResult(w http.ResponseWriter, err error) {
	if err != nil {
		a.writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// writeError answers an *Error with its status and "auth: ..." message;
// anything else (a store failure, a proposal that timed out) is the
// server's fault: 500 "Internal Server Error", as etcd, and logged.
func (a *Auth) writeError(w http.ResponseWriter, err error) {
	var e *Error
	if errors.As(err, &e) {
		limits.WriteMessage(w, e.Status, e.Error())
		return
	}
	a.cfg.Logger.Warn("v2auth: request failed", "err", err)
	limits.WriteMessage(w, http.StatusInternalServerError, "Internal Server Error")
}

// writeNoAuth is the 401 of contract §4, sent without X-Etcd-Cluster-Id.
func writeNoAuth(w http.ResponseWriter) {
	limits.WriteMessage(w, http.StatusUnauthorized, "Insufficient credentials")
}

// writeJSON writes a document followed by a newline, as etcd's encoder.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
