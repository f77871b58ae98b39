// Package v2http is skiff's client API over net/http: the etcd v2 keys API
// (contract §1, ../shared/reference/etcd-v2-contract.md), the members, stats,
// machines, version, health and metrics endpoints (§3), with the error shapes
// of §2 and the quirks of §10. docs/api.md shows every endpoint with an
// example and lists where skiff deliberately differs from etcd.
//
// The handler talks to its member only through the Server interface, so a
// request can be followed in one direction: parse and check here, propose
// through Server.Do (raft), answer with the store's event. Reads and watches
// go to the member's applied store directly; quorum reads wait for a ReadIndex
// first. v2 auth plugs in through the Authorizer hook (§4).
//
// Files, one concern each:
//
//	server.go      Server, the member as the API sees it; its sentinel errors; Authorizer
//	handler.go     Config, New, the route table, and front: CORS, the unclean
//	               path 301 and the shortcut to /v2/keys, in one layer
//	keys.go        /v2/keys: dispatch to a write, a quorum read, a watch or a read
//	keys_parse.go  the parameters of §1.2 and their errors
//	keys_write.go  writing a keys event or a keys error (§1.4, §1.5, §2)
//	watch.go       long-poll and streaming watches (§1.8)
//	members.go     /v2/members (§3)
//	stats.go       /v2/stats/self, /leader, /store
//	admin.go       /version, /v2/machines, /health
//	errors.go      JSON documents (405 with Allow is limits.AllowMethod,
//	               the {"message"} error shape limits.WriteMessage)
//	cors.go        the CORS headers and OPTIONS (§1.5), for front
//	cleanpath.go   301 for unclean paths (§1.1), for front
//	metrics.go     the request counters and /metrics
//	timeouts.go    the shared deadline contexts of writes and quorum reads
package v2http
