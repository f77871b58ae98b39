// Package limits protects a member's client API from abusive or broken
// clients: caps on header and body sizes, deadlines for clients too slow to
// send a request or read its reply, and a cap on the watches one connection
// may hold open. Each refusal is a clear error; nothing here changes what a
// well-behaved etcd v2 client sees (contract §1.11: plain reads and writes
// finish within the 7 s write timeout, watches may last forever).
//
// Files:
//
//	limits.go   Config, its defaults, Apply (http.Server fields) and Wrap;
//	            WriteMessage, the {"message"} error shape v2http and v2auth share
//	watch.go    IsWatch and the per-connection watch count
package limits
