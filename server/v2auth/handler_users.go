package v2auth

import (
	"net/http"

	"skiff/server/limits"
)

// userWithRoles is a user as GET shows it: its roles in full, and no
// password. A user without roles shows no "roles" field.
type userWithRoles struct {
	User  string `json:"user"`
	Roles []Role `json:"roles,omitempty"`
}

// serveUsers is GET /v2/auth/users: every user with its roles (roles that
// do not exist are left out).
func (a *Auth) serveUsers(w http.ResponseWriter, r *http.Request) {
	if !a.admit(w, r, "GET") {
		return
	}
	names, err := a.AllUsers()
	if err != nil {
		a.writeError(w, err)
		return
	}
	var reply struct {
		Users []userWithRoles `json:"users"`
	}
	for _, name := range names {
		u, err := a.GetUser(name)
		if statusOf(err) == http.StatusNotFound {
			continue // deleted since the listing
		}
		if err != nil {
			a.writeError(w, err)
			return
		}
		uwr := userWithRoles{User: u.User}
		for _, roleName := range u.Roles {
			if role, err := a.GetRole(roleName); err == nil {
				uwr.Roles = append(uwr.Roles, role)
			}
		}
		reply.Users = append(reply.Users, uwr)
	}
	writeJSON(w, http.StatusOK, reply)
}

// serveUsersPath is /v2/auth/users/<name>.
func (a *Auth) serveUsersPath(w http.ResponseWriter, r *http.Request) {
	name, ok := a.admitItem(w, r, a.serveUsers)
	if !ok {
		return
	}
	switch r.Method {
	case http.MethodGet:
		a.getUserReply(w, name)
	case http.MethodPut:
		a.putUser(w, r, name)
	case http.MethodDelete:
		a.writeResult(w, a.DeleteUser(r.Context(), name))
	}
}

// getUserReply is GET /v2/auth/users/<name>: a granted role that does not
// exist makes the whole reply a 404, as in etcd (§4).
func (a *Auth) getUserReply(w http.ResponseWriter, name string) {
	u, err := a.GetUser(name)
	if err != nil {
		a.writeError(w, err)
		return
	}
	uwr := userWithRoles{User: u.User}
	for _, roleName := range u.Roles {
		role, err := a.GetRole(roleName)
		if err != nil {
			a.writeError(w, err)
			return
		}
		uwr.Roles = append(uwr.Roles, role)
	}
	writeJSON(w, http.StatusOK, uwr)
}

// putUser is PUT /v2/auth/users/<name> (contract §4):
//
//   - with roles (and no grant or revoke): create, 200;
//   - with neither roles, grant nor revoke: change the password of an
//     existing user (200) or create one (201);
//   - with grant or revoke: update (200); roles as well is 400.
func (a *Auth) putUser(w http.ResponseWriter, r *http.Request, name string) {
	var in User
	if !decodeBody(w, r, &in) {
		return
	}
	if in.User != name {
		limits.WriteMessage(w, http.StatusBadRequest, "User JSON name does not match the name in the URL")
		return
	}
	var (
		out     User
		created bool
		err     error
	)
	switch {
	case len(in.Grant) == 0 && len(in.Revoke) == 0 && len(in.Roles) != 0:
		out, err = a.CreateUser(r.Context(), in)
	case len(in.Grant) == 0 && len(in.Revoke) == 0:
		out, created, err = a.CreateOrUpdateUser(r.Context(), in)
	case len(in.Roles) != 0:
		limits.WriteMessage(w, http.StatusBadRequest, "User JSON contains both roles and grant/revoke")
		return
	default:
		out, err = a.UpdateUser(r.Context(), in)
	}
	if err != nil {
		a.writeError(w, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	out.Password = ""
	writeJSON(w, status, out)
}
