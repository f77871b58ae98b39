// Package v2auth is etcd v2's authentication and authorization (contract §4):
// users with bcrypt-hashed passwords, roles holding read and write key
// patterns, the built-in root role, the guest role for requests without
// credentials, the /v2/auth HTTP API, and the Authorizer that server/v2http
// asks before each keys, members and auth request.
//
// Everything lives in the store's Auth namespace (etcd's "/2"):
//
//	/users/<name>   {"user":..,"password":<bcrypt hash>,"roles":[..]}
//	/roles/<name>   {"role":..,"permissions":{"kv":{"read":[..],"write":[..]}}}
//	/enabled        true or false
//
// Every change is a store.Request proposed through the member's Do, so it is
// applied on every member in log order and survives snapshots like any key;
// a password is hashed before it is proposed, so only the hash crosses raft.
// Reads come from the member's local store, and nothing read from it is
// cached: a member sees a change as soon as it has applied it. (The one
// caches, of passwords already checked and of decoded records, are keyed
// by the stored bytes, so a change can never meet a stale entry.)
//
// Files, one concern each:
//
//	auth.go        Auth, Config, Member: the entry point
//	types.go       User, Role, Permissions and their merges (grant, revoke)
//	match.go       which keys a role may read or write
//	errors.go      Error, the "auth: ..." errors with their HTTP statuses
//	resource.go    reading and proposing the records of the Auth namespace
//	users.go       user operations
//	roles.go       role operations
//	enable.go      enabling and disabling auth
//	password.go    bcrypt hashing and the checked-password cache
//	decode_cache.go  decoded records, checked against the stored bytes
//	authorizer.go  CanAccessKey and IsRoot: who is calling, and may they
//	handler.go     the /v2/auth routes and the replies
//	handler_users.go, handler_roles.go  the users and roles endpoints
package v2auth
