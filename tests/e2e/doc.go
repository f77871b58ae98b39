// Package e2e runs the real skiff binary: a three-member cluster of
// processes on loopback, a linearizability workload against it, and kill -9
// (and SIGSTOP, a real pause) of random members while it runs; the history
// goes through the same checkers as tests/linearizability.
package e2e
