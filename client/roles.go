package client

import (
	"context"
	"net/http"
)

// Roles lists every role, root included: GET /v2/auth/roles.
func (c *Client) Roles(ctx context.Context) ([]Role, error) {
	var out struct {
		Roles []Role `json:"roles"`
	}
	_, err := c.call(ctx, &request{method: http.MethodGet, path: "/v2/auth/roles"}, &out)
	return out.Roles, err
}

// GetRole returns one role: GET /v2/auth/roles/<name>.
func (c *Client) GetRole(ctx context.Context, name string) (*Role, error) {
	if err := checkName("role", name); err != nil {
		return nil, err
	}
	r := &Role{}
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: "/v2/auth/roles/" + name}, r); err != nil {
		return nil, err
	}
	return r, nil
}

// AddRole creates a role with no permissions: PUT /v2/auth/roles/<name>
// {"role":..,"permissions":{"kv":{"read":null,"write":null}}}.
func (c *Client) AddRole(ctx context.Context, name string) error {
	_, err := c.changeRole(ctx, Role{Name: name})
	return err
}

// GrantRole adds key patterns to a role and returns the role as it now is.
func (c *Client) GrantRole(ctx context.Context, name string, perms Permissions) (*Role, error) {
	return c.changeRole(ctx, Role{Name: name, Grant: &perms})
}

// RevokeRole removes key patterns from a role and returns the role as it
// now is.
func (c *Client) RevokeRole(ctx context.Context, name string, perms Permissions) (*Role, error) {
	return c.changeRole(ctx, Role{Name: name, Revoke: &perms})
}

// RemoveRole deletes a role: DELETE /v2/auth/roles/<name>.
func (c *Client) RemoveRole(ctx context.Context, name string) error {
	if err := checkName("role", name); err != nil {
		return err
	}
	_, err := c.call(ctx, &request{method: http.MethodDelete, path: "/v2/auth/roles/" + name}, nil)
	return err
}

// changeRole sends one PUT /v2/auth/roles/<name> and decodes the answer.
func (c *Client) changeRole(ctx context.Context, change Role) (*Role, error) {
	if err := checkName("role", change.Name); err != nil {
		return nil, err
	}
	r, err := jsonRequest(http.MethodPut, "/v2/auth/roles/"+change.Name, change)
	if err != nil {
		return nil, err
	}
	out := &Role{}
	if _, err := c.call(ctx, r, out); err != nil {
		return nil, err
	}
	return out, nil
}
