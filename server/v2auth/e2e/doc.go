// Package e2e runs v2 auth on real members (skiff/server through
// tests/cluster); it holds tests only. It lives apart from package v2auth so
// that a server package in the middle of a change never stops v2auth's own
// tests from building.
package e2e
