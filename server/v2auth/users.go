package v2auth

import (
	"context"
	"net/http"
	"reflect"

	"skiff/store"
)

func userPath(name string) string { return usersDir + "/" + name }

// AllUsers returns every user's name, sorted.
func (a *Auth) AllUsers() ([]string, error) {
	return a.listNames(usersDir)
}

// GetUser returns the stored user (with its password hash). A missing user
// is 404 "User X does not exist." The root user always has the root role.
func (a *Auth) GetUser(name string) (User, error) {
	u, _, err := a.getUser(name)
	return u, err
}

func (a *Auth) getUser(name string) (User, uint64, error) {
	if !validName(name) {
		return User{}, 0, authErr(http.StatusNotFound, "User %s does not exist.", name)
	}
	raw, index, err := a.readRecord(userPath(name))
	if store.Code(err) == store.EcodeKeyNotFound {
		return User{}, 0, authErr(http.StatusNotFound, "User %s does not exist.", name)
	}
	if err != nil {
		return User{}, 0, err
	}
	u, err := a.users.decode(userPath(name), raw)
	if err != nil {
		return User{}, 0, err
	}
	return withRootRole(u), index, nil
}

// CreateUser stores a new user with u's password (hashed here) and roles.
// An empty password is 400, an existing user 409; the root user gets the
// root role (contract §4).
func (a *Auth) CreateUser(ctx context.Context, u User) (User, error) {
	u = withRootRole(u)
	if u.Password == "" {
		return u, authErr(http.StatusBadRequest, "Cannot create user %s with an empty password", u.User)
	}
	if !validName(u.User) {
		return u, authErr(http.StatusBadRequest, "Invalid user name %q: it must be non-empty, not . or .., and hold no /", u.User)
	}
	hash, err := a.hashPassword(u.User, u.Password)
	if err != nil {
		return u, err
	}
	stored := User{User: u.User, Password: hash, Roles: u.Roles}
	err = a.createRecord(ctx, userPath(u.User), stored)
	if store.Code(err) == store.EcodeNodeExist {
		return u, authErr(http.StatusConflict, "User %s already exists.", u.User)
	}
	return stored, err
}

// CreateOrUpdateUser updates u if the user exists (created false), else
// creates it (created true): a PUT without roles, grant or revoke.
func (a *Auth) CreateOrUpdateUser(ctx context.Context, u User) (out User, created bool, err error) {
	if _, err := a.GetUser(u.User); err == nil {
		out, err = a.UpdateUser(ctx, u)
		return out, false, err
	}
	out, err = a.CreateUser(ctx, u)
	return out, true, err
}

// UpdateUser applies u's new password, grants and revokes to the stored
// user. A change that changes nothing is 400 (contract §4).
func (a *Auth) UpdateUser(ctx context.Context, u User) (User, error) {
	hash := ""
	if u.Password != "" {
		var err error
		if hash, err = a.hashPassword(u.User, u.Password); err != nil {
			return User{}, err
		}
	}
	for attempt := 1; ; attempt++ {
		old, index, err := a.getUser(u.User)
		if err != nil {
			return old, err
		}
		merged, err := mergeUser(old, u, hash)
		if err != nil {
			return old, err
		}
		if reflect.DeepEqual(old, merged) {
			return old, authErr(http.StatusBadRequest, "User not updated. Use grant/revoke/password to update the user.")
		}
		err = a.swapRecord(ctx, userPath(u.User), merged, index)
		if store.Code(err) == store.EcodeTestFailed && attempt < maxUpdateAttempts {
			continue // changed meanwhile: merge into the new version
		}
		return merged, err
	}
}

// DeleteUser removes a user. The root user cannot go while auth is on
// (403); a missing user is 404 "User X does not exist" (no period, as etcd).
func (a *Auth) DeleteUser(ctx context.Context, name string) error {
	if name == RootUser && a.Enabled() {
		return authErr(http.StatusForbidden, "Cannot delete root user while auth is enabled.")
	}
	if !validName(name) {
		return authErr(http.StatusNotFound, "User %s does not exist", name)
	}
	err := a.deleteRecord(ctx, userPath(name))
	if store.Code(err) == store.EcodeKeyNotFound {
		return authErr(http.StatusNotFound, "User %s does not exist", name)
	}
	return err
}
