package v2auth

import (
	"net/http"
	"slices"
)

// The built-in names of contract §4.
const (
	// RootUser is the user that may enable auth; it always has RootRole.
	RootUser = "root"
	// RootRole may read and write every key and administer members and auth.
	// It is never stored and cannot be changed or deleted.
	RootRole = "root"
	// GuestRole is the role of requests without credentials. Enabling auth
	// creates it with read and write on every key if it does not exist.
	GuestRole = "guest"
)

// User is a user as stored and as sent in PUT /v2/auth/users/<name>.
// Password is the bcrypt hash once stored, the clear password in a request;
// it is never sent back. Grant and Revoke only appear in requests.
type User struct {
	User     string   `json:"user"`
	Password string   `json:"password,omitempty"`
	Roles    []string `json:"roles"`
	Grant    []string `json:"grant,omitempty"`
	Revoke   []string `json:"revoke,omitempty"`
}

// Role is a role as stored and as sent in PUT /v2/auth/roles/<name>; Grant
// and Revoke only appear in requests.
type Role struct {
	Role        string       `json:"role"`
	Permissions Permissions  `json:"permissions"`
	Grant       *Permissions `json:"grant,omitempty"`
	Revoke      *Permissions `json:"revoke,omitempty"`
}

// Permissions are a role's rights; v2 has only key-value ones.
type Permissions struct {
	KV RWPermission `json:"kv"`
}

// RWPermission lists the key patterns a role may read and write (match.go).
type RWPermission struct {
	Read  []string `json:"read"`
	Write []string `json:"write"`
}

// rootRole and guestRole are the built-in roles: every key, read and write.
var (
	rootRole  = Role{Role: RootRole, Permissions: Permissions{KV: RWPermission{Read: []string{"/*"}, Write: []string{"/*"}}}}
	guestRole = Role{Role: GuestRole, Permissions: Permissions{KV: RWPermission{Read: []string{"/*"}, Write: []string{"/*"}}}}
)

// IsEmpty reports whether p grants nothing (a nil p too).
func (p *Permissions) IsEmpty() bool {
	return p == nil || p.KV.isEmpty()
}

// withRootRole adds RootRole to the root user's roles if missing: the root
// user always has it, whatever is stored (§4: PUT root answers
// {"user":"root","roles":["root"]}).
func withRootRole(u User) User {
	if u.User == RootUser && !slices.Contains(u.Roles, RootRole) {
		u.Roles = append(slices.Clip(u.Roles), RootRole)
	}
	return u
}

// mergeUser applies a request's new password hash (if any), grants and
// revokes to the stored user old. Granting a role the user has, or revoking
// one it lacks, is 409 (§4). The roles come out sorted, and never nil once
// merged, as etcd stores them.
func mergeUser(old, req User, newHash string) (User, error) {
	out := User{User: old.User, Password: old.Password}
	if newHash != "" {
		out.Password = newHash
	}
	roles := newSet(old.Roles)
	for _, g := range req.Grant {
		if roles[g] {
			return User{}, authErr(http.StatusConflict, "Granting duplicate role %s for user %s", g, req.User)
		}
		roles[g] = true
	}
	for _, r := range req.Revoke {
		if !roles[r] {
			return User{}, authErr(http.StatusConflict, "Revoking ungranted role %s for user %s", r, req.User)
		}
		delete(roles, r)
	}
	out.Roles = roles.sorted()
	return out, nil
}

// mergeRole applies a request's grant, then its revoke, to the stored role
// old. A duplicate grant is 409; revoking a pattern the role lacks is
// ignored (the caller then sees "Role not updated" if nothing changed).
func mergeRole(old, req Role) (Role, error) {
	out := Role{Role: old.Role, Permissions: old.Permissions}
	if req.Grant != nil {
		read, err := grant(old.Permissions.KV.Read, req.Grant.KV.Read, "read")
		if err != nil {
			return Role{}, err
		}
		write, err := grant(old.Permissions.KV.Write, req.Grant.KV.Write, "write")
		if err != nil {
			return Role{}, err
		}
		out.Permissions.KV = RWPermission{Read: read, Write: write}
	}
	if req.Revoke != nil {
		out.Permissions.KV = RWPermission{
			Read:  revoke(out.Permissions.KV.Read, req.Revoke.KV.Read),
			Write: revoke(out.Permissions.KV.Write, req.Revoke.KV.Write),
		}
	}
	return out, nil
}

func grant(have, add []string, kind string) ([]string, error) {
	set := newSet(have)
	for _, p := range add {
		if set[p] {
			return nil, authErr(http.StatusConflict, "Granting duplicate %s permission %s", kind, p)
		}
		set[p] = true
	}
	return set.sorted(), nil
}

func revoke(have, remove []string) []string {
	set := newSet(have)
	for _, p := range remove {
		delete(set, p)
	}
	return set.sorted()
}

type set map[string]bool

func newSet(items []string) set {
	s := set{}
	for _, it := range items {
		s[it] = true
	}
	return s
}

// sorted returns the members in order, as a non-nil slice.
func (s set) sorted() []string {
	out := make([]string, 0, len(s))
	for it := range s {
		out = append(out, it)
	}
	slices.Sort(out)
	return out
}

func (rw RWPermission) isEmpty() bool { return len(rw.Read) == 0 && len(rw.Write) == 0 }
