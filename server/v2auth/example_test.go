package v2auth_test

import (
	"fmt"

	"skiff/server/v2auth"
)

// A pattern ending in "*" covers the keys below it, but not the key it
// names, and only such a pattern grants recursive access (contract §4).
func ExampleRole_HasKeyAccess() {
	app := v2auth.Role{Role: "app", Permissions: v2auth.Permissions{KV: v2auth.RWPermission{
		Read:  []string{"/app/*", "/cfg"},
		Write: []string{"/app/w*"},
	}}}
	fmt.Println(app.HasKeyAccess("/app/x", false), app.HasKeyAccess("/app", false))
	fmt.Println(app.HasKeyAccess("/app/x", true), app.HasKeyAccess("/app/wx", true))
	fmt.Println(app.HasKeyAccess("/cfg", false), app.HasRecursiveAccess("/cfg", false))
	fmt.Println(app.HasRecursiveAccess("/app/dir", false))
	// Output:
	// true false
	// false true
	// true false
	// true
}
