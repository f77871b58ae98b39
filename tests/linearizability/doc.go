// Package linearizability proves that skiff's v2 API stays correct under
// faults: a workload of concurrent clients over the real HTTP API records a
// history, which is checked by porcupine against a per-key model of the v2
// key space (model.go) and by checkers for what the model cannot see
// (checkers.go, watch.go): unique and real-time ordered modifiedIndexes,
// plain GETs equal to the state at the X-Etcd-Index they report, identical
// stores at the end, and watchers that miss or repeat nothing.
//
// Files:
//
//	doc.go       this overview
//	op.go        one recorded operation: input, output, timing (the JSON history)
//	model.go     the porcupine model of one key
//	history.go   the recorder and the conversion to porcupine operations
//	resolve.go   unknown writes resolved against the members' WALs
//	checkers.go  index uniqueness and order, stale reads
//	watch.go     the watch collector and its checker
//	check.go     running every check and writing the artifacts
//	workload.go  the clients and what they send
//	faults.go    the fault injectors and their annotations
//
// docs/testing.md says what each test proves and how to replay a seed.
package linearizability
