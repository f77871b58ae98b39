// Package client is a Go client for the etcd v2 HTTP API as skiff serves it
// (and as etcd 3.4 with --enable-v2 does): keys, watches, members, stats,
// version, health and v2 auth. skiffctl is built on it.
//
// A Client holds a list of endpoints. Every call goes to the endpoint that
// answered last and moves on to the next one when that one is unreachable,
// too slow to send headers (Config.HeaderTimeout) or answers 5xx; Sync
// replaces the list with the members' client URLs, as etcdctl does.
//
// Two kinds of failure are kept apart, because etcdctl reports them
// differently (contract §5.4):
//
//   - *Error: the cluster answered and refused. Keys errors carry the v2
//     code (errors.Is(err, ErrKeyNotFound), IsEventIndexCleared, ...);
//     members, auth and stats errors carry the server's message.
//   - *ClusterError (errors.Is(err, ErrClusterUnavailable)): no endpoint
//     answered. The caller's own context errors are returned unwrapped.
//
// Files:
//
//	config.go    Config and its validation
//	tls.go       TLSConfig: cert, key and CA files to *tls.Config
//	client.go    Client, endpoints, Sync
//	failover.go  sending one request: pinned endpoint, failover, header timeout
//	request.go   building requests, decoding error bodies
//	trace.go     RequestTrace and its curl rendering (skiffctl --debug)
//	errors.go    Error, the v2 codes and sentinels, ClusterError
//	response.go  Response and Node, the v2 headers
//	keys.go      get, set, create, in-order create, update, CAS, mkdir,
//	             setdir, updatedir, delete, CAD
//	watch.go     Watcher: long-poll or streaming watches that resume
//	members.go   the members API
//	stats.go     stats, version, health
//	auth.go      auth enable/disable and users; roles.go: roles
//	call.go      the JSON round trip shared by members, auth and stats
package client
