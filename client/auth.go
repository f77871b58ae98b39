package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// User is a v2 auth user as GET /v2/auth/users[/<name>] returns it.
type User struct {
	Name  string `json:"user"`
	Roles []Role `json:"roles"`
}

// Role is a v2 auth role: a name and the key patterns it may read and write
// (a pattern ending in "*" matches by prefix; contract §4).
type Role struct {
	Name        string      `json:"role"`
	Permissions Permissions `json:"permissions"`
	// Grant and Revoke are only set in a change request.
	Grant  *Permissions `json:"grant,omitempty"`
	Revoke *Permissions `json:"revoke,omitempty"`
}

// Permissions are a role's rights on the key space.
type Permissions struct {
	KV RWPermission `json:"kv"`
}

// RWPermission lists the key patterns that may be read and written.
type RWPermission struct {
	Read  []string `json:"read"`
	Write []string `json:"write"`
}

// UnmarshalJSON accepts a role object or, as older servers list a user's
// roles, a bare role name.
func (r *Role) UnmarshalJSON(b []byte) error {
	var name string
	if json.Unmarshal(b, &name) == nil {
		*r = Role{Name: name}
		return nil
	}
	type plain Role // no methods: avoids recursion
	return json.Unmarshal(b, (*plain)(r))
}

// userChange is the body of PUT /v2/auth/users/<name>, field for field as
// etcdctl sends it: {"user":..,"password":..,"roles":null,"grant":[..]}.
type userChange struct {
	User     string   `json:"user"`
	Password string   `json:"password,omitempty"`
	Roles    []string `json:"roles"`
	Grant    []string `json:"grant,omitempty"`
	Revoke   []string `json:"revoke,omitempty"`
}

// AuthEnabled reports whether auth is on: GET /v2/auth/enable.
func (c *Client) AuthEnabled(ctx context.Context) (bool, error) {
	var out struct {
		Enabled bool `json:"enabled"`
	}
	_, err := c.call(ctx, &request{method: http.MethodGet, path: "/v2/auth/enable"}, &out)
	return out.Enabled, err
}

// EnableAuth turns auth on: PUT /v2/auth/enable. A root user must exist.
func (c *Client) EnableAuth(ctx context.Context) error {
	_, err := c.call(ctx, &request{method: http.MethodPut, path: "/v2/auth/enable"}, nil)
	return err
}

// DisableAuth turns auth off: DELETE /v2/auth/enable (as root).
func (c *Client) DisableAuth(ctx context.Context) error {
	_, err := c.call(ctx, &request{method: http.MethodDelete, path: "/v2/auth/enable"}, nil)
	return err
}

// Users lists every user with its roles: GET /v2/auth/users.
func (c *Client) Users(ctx context.Context) ([]User, error) {
	var out struct {
		Users []User `json:"users"`
	}
	_, err := c.call(ctx, &request{method: http.MethodGet, path: "/v2/auth/users"}, &out)
	return out.Users, err
}

// GetUser returns one user: GET /v2/auth/users/<name>.
func (c *Client) GetUser(ctx context.Context, name string) (*User, error) {
	if err := checkName("user", name); err != nil {
		return nil, err
	}
	u := &User{}
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: "/v2/auth/users/" + name}, u); err != nil {
		return nil, err
	}
	return u, nil
}

// AddUser creates a user, or sets the password of an existing one (the
// server does both for the same request): PUT /v2/auth/users/<name>.
func (c *Client) AddUser(ctx context.Context, name, password string) error {
	return c.changeUser(ctx, userChange{User: name, Password: password})
}

// ChangePassword sets a user's password; it sends what AddUser sends, as
// etcdctl user passwd does.
func (c *Client) ChangePassword(ctx context.Context, name, password string) error {
	return c.changeUser(ctx, userChange{User: name, Password: password})
}

// GrantUserRoles adds roles to a user.
func (c *Client) GrantUserRoles(ctx context.Context, name string, roles []string) error {
	return c.changeUser(ctx, userChange{User: name, Grant: roles})
}

// RevokeUserRoles takes roles away from a user.
func (c *Client) RevokeUserRoles(ctx context.Context, name string, roles []string) error {
	return c.changeUser(ctx, userChange{User: name, Revoke: roles})
}

// RemoveUser deletes a user: DELETE /v2/auth/users/<name>.
func (c *Client) RemoveUser(ctx context.Context, name string) error {
	if err := checkName("user", name); err != nil {
		return err
	}
	_, err := c.call(ctx, &request{method: http.MethodDelete, path: "/v2/auth/users/" + name}, nil)
	return err
}

// changeUser sends one PUT /v2/auth/users/<name>.
func (c *Client) changeUser(ctx context.Context, change userChange) error {
	if err := checkName("user", change.User); err != nil {
		return err
	}
	r, err := jsonRequest(http.MethodPut, "/v2/auth/users/"+change.User, change)
	if err != nil {
		return err
	}
	_, err = c.call(ctx, r, nil)
	return err
}

// checkName refuses an empty user or role name, which would address the
// list instead of one entry.
func checkName(kind, name string) error {
	if name == "" {
		return fmt.Errorf("client: the %s name is empty", kind)
	}
	return nil
}
