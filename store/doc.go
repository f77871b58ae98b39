// Package store is skiff's v2 key space: etcd v2's hierarchical keys and
// directories, TTLs, compare-and-swap, in-order keys, hidden keys and
// watches, with the semantics of the contract (docs: ../shared/reference,
// §1, §2 and §10; docs/store.md for the snapshot format).
//
// The store is a pure, deterministic state machine. Every write arrives as a
// raft command and is applied on every member in log order; an operation
// that involves time takes it as a parameter (now, the leader's clock carried
// in the command), so every member computes the same state, indexes and
// events. Keys expire only when the server applies DeleteExpiredKeys(now)
// through the log; no timer runs inside.
//
// Files, one concern each:
//
//	store.go        Store, namespaces, path walking, Get
//	create.go       Set and Create (and in-order keys)
//	update.go       Update and CompareAndSwap
//	delete.go       Delete and CompareAndDelete
//	ttl.go          TTL, the expiry heap, DeleteExpiredKeys
//	request.go      Request and Apply: the PUT/POST/DELETE dispatch of §1.2
//	node.go         the tree's nodes
//	node_extern.go  NodeExtern, the JSON form of a node (§1.4)
//	event.go        Event and the actions (§1.3)
//	history.go      the 1000-event history and what a watch matches
//	watcher.go      Watcher and Watch
//	watcher_hub.go  the registered watchers and notification
//	snapshot.go     the snapshot format, Save, Dump, Hash
//	recovery.go     Recovery and the checks a snapshot must pass
//	clone.go        Clone
//	stats.go        the /v2/stats/store counters
//	errors.go       Error, the codes of §2 and their HTTP statuses
//
// Which X-Etcd-Index the API sends (§1.5): for a successful write or get,
// Event.EtcdIndex (the index after the write; the current index for a get);
// for a store error, Error.Index (the current index); for a watch,
// Watcher.StartIndex.
package store
