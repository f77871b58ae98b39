package v2auth

import (
	"net/http"

	"skiff/server/limits"
)

// serveRoles is GET /v2/auth/roles: every role in full, root included.
func (a *Auth) serveRoles(w http.ResponseWriter, r *http.Request) {
	if !a.admit(w, r, "GET") {
		return
	}
	names, err := a.AllRoles()
	if err != nil {
		a.writeError(w, err)
		return
	}
	var reply struct {
		Roles []Role `json:"roles"`
	}
	for _, name := range names {
		role, err := a.GetRole(name)
		if err != nil {
			a.writeError(w, err)
			return
		}
		reply.Roles = append(reply.Roles, role)
	}
	writeJSON(w, http.StatusOK, reply)
}

// serveRolesPath is /v2/auth/roles/<name>.
func (a *Auth) serveRolesPath(w http.ResponseWriter, r *http.Request) {
	name, ok := a.admitItem(w, r, a.serveRoles)
	if !ok {
		return
	}
	switch r.Method {
	case http.MethodGet:
		role, err := a.GetRole(name)
		if err != nil {
			a.writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, role)
	case http.MethodPut:
		a.putRole(w, r, name)
	case http.MethodDelete:
		a.writeResult(w, a.DeleteRole(r.Context(), name))
	}
}

// putRole is PUT /v2/auth/roles/<name> (contract §4): without a grant or
// revoke it creates the role (201, echoing the request); with one it
// updates it (200, the whole role); permissions as well is 400.
func (a *Auth) putRole(w http.ResponseWriter, r *http.Request, name string) {
	var in Role
	if !decodeBody(w, r, &in) {
		return
	}
	if in.Role != name {
		limits.WriteMessage(w, http.StatusBadRequest, "Role JSON name does not match the name in the URL")
		return
	}
	if in.Grant.IsEmpty() && in.Revoke.IsEmpty() {
		if err := a.CreateRole(r.Context(), in); err != nil {
			a.writeError(w, err)
			return
		}
		writeJSON(w, http.StatusCreated, in)
		return
	}
	if !in.Permissions.KV.isEmpty() {
		limits.WriteMessage(w, http.StatusBadRequest, "Role JSON contains both permissions and grant/revoke")
		return
	}
	out, err := a.UpdateRole(r.Context(), in)
	if err != nil {
		a.writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
