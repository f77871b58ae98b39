package client

import (
	"context"
	"net/http"
	"reflect"
	"testing"
)

// TestAuthRequestsMatchEtcdctl: the user, role and enable calls send the
// bodies etcdctl 3.4.23 sends (from its --debug output; contract §4).
func TestAuthRequestsMatchEtcdctl(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, answer(http.StatusOK, `{"role":"r1","permissions":{"kv":{"read":["/x/*"],"write":[]}}}`))
	c := newTestClient(t, Config{Endpoints: []string{f.URL}, Username: "root", Password: "pw"})
	const js = "application/json"
	rw := Permissions{KV: RWPermission{Read: []string{"/x/*"}, Write: []string{"/x/*"}}}
	cases := []struct {
		call func() error
		want seen
	}{
		{func() error { return c.AddUser(ctx, "bob", "pw") },
			seen{Method: "PUT", Path: "/v2/auth/users/bob", Body: `{"user":"bob","password":"pw","roles":null}`, ContentType: js}},
		{func() error { return c.ChangePassword(ctx, "bob", "pw2") },
			seen{Method: "PUT", Path: "/v2/auth/users/bob", Body: `{"user":"bob","password":"pw2","roles":null}`, ContentType: js}},
		{func() error { return c.GrantUserRoles(ctx, "bob", []string{"r1"}) },
			seen{Method: "PUT", Path: "/v2/auth/users/bob", Body: `{"user":"bob","roles":null,"grant":["r1"]}`, ContentType: js}},
		{func() error { return c.RevokeUserRoles(ctx, "bob", []string{"r1"}) },
			seen{Method: "PUT", Path: "/v2/auth/users/bob", Body: `{"user":"bob","roles":null,"revoke":["r1"]}`, ContentType: js}},
		{func() error { return c.RemoveUser(ctx, "bob") }, seen{Method: "DELETE", Path: "/v2/auth/users/bob"}},
		{func() error { return c.AddRole(ctx, "r1") },
			seen{Method: "PUT", Path: "/v2/auth/roles/r1", Body: `{"role":"r1","permissions":{"kv":{"read":null,"write":null}}}`, ContentType: js}},
		{func() error { _, err := c.GrantRole(ctx, "r1", rw); return err },
			seen{Method: "PUT", Path: "/v2/auth/roles/r1", ContentType: js,
				Body: `{"role":"r1","permissions":{"kv":{"read":null,"write":null}},"grant":{"kv":{"read":["/x/*"],"write":["/x/*"]}}}`}},
		{func() error {
			_, err := c.RevokeRole(ctx, "r1", Permissions{KV: RWPermission{Write: []string{"/x/*"}}})
			return err
		}, seen{Method: "PUT", Path: "/v2/auth/roles/r1", ContentType: js,
			Body: `{"role":"r1","permissions":{"kv":{"read":null,"write":null}},"revoke":{"kv":{"read":null,"write":["/x/*"]}}}`}},
		{func() error { return c.RemoveRole(ctx, "r1") }, seen{Method: "DELETE", Path: "/v2/auth/roles/r1"}},
		{func() error { return c.EnableAuth(ctx) }, seen{Method: "PUT", Path: "/v2/auth/enable"}},
		{func() error { return c.DisableAuth(ctx) }, seen{Method: "DELETE", Path: "/v2/auth/enable"}},
	}
	for _, tc := range cases {
		if err := tc.call(); err != nil {
			t.Fatalf("%+v: %v", tc.want, err)
		}
		got := f.last(t)
		tc.want.User, tc.want.Pass, tc.want.HasAuth = "root", "pw", true
		if got != tc.want {
			t.Errorf("sent\n %+v\nwant\n %+v", got, tc.want)
		}
	}
}

// TestAuthAnswersDecode: users, roles and the enable flag as 3.4 answers.
func TestAuthAnswersDecode(t *testing.T) {
	ctx := context.Background()
	rootRole := Role{Name: "root", Permissions: Permissions{KV: RWPermission{Read: []string{"/*"}, Write: []string{"/*"}}}}
	f := newFake(t, answer(http.StatusOK,
		`{"users":[{"user":"root","roles":[{"role":"root","permissions":{"kv":{"read":["/*"],"write":["/*"]}}}]}]}`))
	c := newTestClient(t, Config{Endpoints: []string{f.URL}})
	users, err := c.Users(ctx)
	if err != nil || !reflect.DeepEqual(users, []User{{Name: "root", Roles: []Role{rootRole}}}) {
		t.Errorf("Users = %+v, %v", users, err)
	}

	f.setReply(answer(http.StatusOK, `{"users":null}`))
	if users, err := c.Users(ctx); err != nil || users != nil {
		t.Errorf("no users: %+v, %v", users, err)
	}

	// Older servers list a user's roles by name.
	f.setReply(answer(http.StatusOK, `{"user":"alice","roles":["app"]}`))
	u, err := c.GetUser(ctx, "alice")
	if err != nil || u.Name != "alice" || len(u.Roles) != 1 || u.Roles[0].Name != "app" || f.last(t).Path != "/v2/auth/users/alice" {
		t.Errorf("GetUser = %+v, %v", u, err)
	}

	f.setReply(answer(http.StatusOK, `{"roles":[{"role":"root","permissions":{"kv":{"read":["/*"],"write":["/*"]}}}]}`))
	if roles, err := c.Roles(ctx); err != nil || !reflect.DeepEqual(roles, []Role{rootRole}) {
		t.Errorf("Roles = %+v, %v", roles, err)
	}
	f.setReply(answer(http.StatusOK, `{"role":"root","permissions":{"kv":{"read":["/*"],"write":["/*"]}}}`))
	if r, err := c.GetRole(ctx, "root"); err != nil || !reflect.DeepEqual(*r, rootRole) {
		t.Errorf("GetRole = %+v, %v", r, err)
	}

	f.setReply(answer(http.StatusOK, `{"enabled":true}`))
	if on, err := c.AuthEnabled(ctx); err != nil || !on {
		t.Errorf("AuthEnabled = %v, %v", on, err)
	}
	f.setReply(answer(http.StatusUnauthorized, `{"message":"Insufficient credentials"}`))
	if err := c.DisableAuth(ctx); err == nil || err.Error() != "Insufficient credentials" {
		t.Errorf("DisableAuth = %v", err)
	}
	if _, err := c.GetUser(ctx, ""); err == nil {
		t.Error("GetUser with an empty name must fail")
	}
}
