package v2auth

import (
	"context"
	"net/http"
	"reflect"
	"slices"

	"skiff/store"
)

func rolePath(name string) string { return rolesDir + "/" + name }

// AllRoles returns every role's name, sorted, the built-in root role
// included.
func (a *Auth) AllRoles() ([]string, error) {
	names, err := a.listNames(rolesDir)
	if err != nil {
		return nil, err
	}
	names = append(names, RootRole)
	slices.Sort(names)
	return slices.Compact(names), nil
}

// GetRole returns a role; a missing one is 404 "Role X does not exist.".
func (a *Auth) GetRole(name string) (Role, error) {
	r, _, err := a.getRole(name)
	return r, err
}

func (a *Auth) getRole(name string) (Role, uint64, error) {
	if name == RootRole {
		return rootRole, 0, nil
	}
	if !validName(name) {
		return Role{}, 0, authErr(http.StatusNotFound, "Role %s does not exist.", name)
	}
	raw, index, err := a.readRecord(rolePath(name))
	if store.Code(err) == store.EcodeKeyNotFound {
		return Role{}, 0, authErr(http.StatusNotFound, "Role %s does not exist.", name)
	}
	if err != nil {
		return Role{}, 0, err
	}
	r, err := a.roles.decode(rolePath(name), raw)
	return r, index, err
}

// CreateRole stores a new role with r's permissions. The root role is 403
// and an existing role 409 (contract §4).
func (a *Auth) CreateRole(ctx context.Context, r Role) error {
	if r.Role == RootRole {
		return authErr(http.StatusForbidden, "Cannot modify role %s: is root role.", r.Role)
	}
	if !validName(r.Role) {
		return authErr(http.StatusBadRequest, "Invalid role name %q: it must be non-empty, not . or .., and hold no /", r.Role)
	}
	err := a.createRecord(ctx, rolePath(r.Role), Role{Role: r.Role, Permissions: r.Permissions})
	if store.Code(err) == store.EcodeNodeExist {
		return authErr(http.StatusConflict, "Role %s already exists.", r.Role)
	}
	return err
}

// UpdateRole applies r's grant and revoke to the stored role. The root role
// is 403, a missing role 404, a change that changes nothing 400.
func (a *Auth) UpdateRole(ctx context.Context, r Role) (Role, error) {
	if r.Role == RootRole {
		return Role{}, authErr(http.StatusForbidden, "Cannot modify role %s: is root role.", r.Role)
	}
	for attempt := 1; ; attempt++ {
		old, index, err := a.getRole(r.Role)
		if err != nil {
			return old, err
		}
		merged, err := mergeRole(old, r)
		if err != nil {
			return old, err
		}
		if reflect.DeepEqual(old, merged) {
			return old, authErr(http.StatusBadRequest, "Role not updated. Use grant/revoke to update the role.")
		}
		err = a.swapRecord(ctx, rolePath(r.Role), merged, index)
		if store.Code(err) == store.EcodeTestFailed && attempt < maxUpdateAttempts {
			continue // changed meanwhile: merge into the new version
		}
		return merged, err
	}
}

// DeleteRole removes a role. The root role is 403; a missing role is 404
// "Role X doesn't exist." (etcd's wording here differs from GetRole's).
func (a *Auth) DeleteRole(ctx context.Context, name string) error {
	if name == RootRole {
		return authErr(http.StatusForbidden, "Cannot modify role %s: is root role.", name)
	}
	if !validName(name) {
		return authErr(http.StatusNotFound, "Role %s doesn't exist.", name)
	}
	err := a.deleteRecord(ctx, rolePath(name))
	if store.Code(err) == store.EcodeKeyNotFound {
		return authErr(http.StatusNotFound, "Role %s doesn't exist.", name)
	}
	return err
}
