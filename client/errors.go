package client

import (
	"errors"
	"fmt"
	"strings"
)

// The v2 error codes a server puts in "errorCode" (contract §2). Codes the
// v2 API reserves but never sends (103, 106, 109, 402–404) are left out.
const (
	CodeKeyNotFound       = 100 // 404: the key, or the first missing component of its path, is absent
	CodeCompareFailed     = 101 // 412: prevValue or prevIndex did not match
	CodeNotFile           = 102 // 403: a file operation was aimed at a directory
	CodeNotDir            = 104 // 400: a path component is a file, not a directory
	CodeKeyExists         = 105 // 412: create (prevExist=false) on an existing key
	CodeRootReadOnly      = 107 // 400: PUT or DELETE on "/"
	CodeDirNotEmpty       = 108 // 403: dir=true delete of a non-empty directory
	CodeUnauthorized      = 110 // 401: the credentials do not allow the request
	CodeValueRequired     = 200
	CodePrevValueRequired = 201 // prevValue= was sent empty
	CodeTTLNaN            = 202
	CodeIndexNaN          = 203
	CodeInvalidField      = 209
	CodeInvalidForm       = 210
	CodeRefreshValue      = 211 // refresh=true came with a value
	CodeRefreshTTLMissing = 212 // refresh=true came without a ttl
	CodeRaftInternal      = 300 // 500: e.g. the proposal timed out
	CodeLeaderElection    = 301 // 500
	CodeWatcherCleared    = 400
	CodeEventIndexCleared = 401 // sent with HTTP 400: waitIndex is older than the 1000-event history
)

// Error is an answer from the cluster that reports a failure. For the keys
// API it carries the v2 error body (contract §2); for the members, auth and
// stats endpoints, which answer {"message": ...}, Code is 0 and only Message
// and StatusCode are set.
//
// Compare with the sentinels below through errors.Is, which matches on Code:
//
//	if errors.Is(err, client.ErrKeyNotFound) { ... }
type Error struct {
	// Code is the v2 errorCode; 0 for endpoints that have no error codes.
	Code int `json:"errorCode"`
	// Message is the server's text for Code, or the whole message of a
	// members/auth/stats error.
	Message string `json:"message"`
	// Cause names what failed, e.g. the missing key or "[1 != 2]".
	Cause string `json:"cause,omitempty"`
	// Index is the store index the server reported with the error
	// (0 for parse and auth errors).
	Index uint64 `json:"index"`
	// StatusCode is the HTTP status the error came with.
	StatusCode int `json:"-"`
}

// Error formats a v2 error the way etcdctl prints it
// ("100: Key not found (/a) [7]"); an error without a code is its message.
func (e *Error) Error() string {
	if e.Code == 0 {
		if e.Message == "" {
			return fmt.Sprintf("client: the server answered HTTP %d with no message", e.StatusCode)
		}
		return e.Message
	}
	return fmt.Sprintf("%d: %s (%s) [%d]", e.Code, e.Message, e.Cause, e.Index)
}

// Is reports whether target is an *Error with the same non-zero Code, which
// makes errors.Is(err, ErrKeyNotFound) and friends work.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code != 0 && t.Code == e.Code
}

// Sentinels for the v2 errors callers branch on; match them with errors.Is.
var (
	ErrKeyNotFound       = &Error{Code: CodeKeyNotFound, Message: "Key not found"}
	ErrCompareFailed     = &Error{Code: CodeCompareFailed, Message: "Compare failed"}
	ErrNotFile           = &Error{Code: CodeNotFile, Message: "Not a file"}
	ErrNotDir            = &Error{Code: CodeNotDir, Message: "Not a directory"}
	ErrKeyExists         = &Error{Code: CodeKeyExists, Message: "Key already exists"}
	ErrRootReadOnly      = &Error{Code: CodeRootReadOnly, Message: "Root is read only"}
	ErrDirNotEmpty       = &Error{Code: CodeDirNotEmpty, Message: "Directory not empty"}
	ErrUnauthorized      = &Error{Code: CodeUnauthorized, Message: "The request requires user authentication"}
	ErrEventIndexCleared = &Error{Code: CodeEventIndexCleared, Message: "The event in requested index is outdated and cleared"}
)

// IsKeyNotFound reports whether err is v2 error 100.
func IsKeyNotFound(err error) bool { return errors.Is(err, ErrKeyNotFound) }

// IsCompareFailed reports whether err is v2 error 101.
func IsCompareFailed(err error) bool { return errors.Is(err, ErrCompareFailed) }

// IsKeyExists reports whether err is v2 error 105.
func IsKeyExists(err error) bool { return errors.Is(err, ErrKeyExists) }

// IsEventIndexCleared reports whether err is v2 error 401: the watch asked
// for an index older than the server's event history. Re-sync by reading the
// key and watching again with WatchOptions.AfterIndex = the read's Index.
func IsEventIndexCleared(err error) bool { return errors.Is(err, ErrEventIndexCleared) }

// ErrorCode returns the v2 error code carried by err, or 0 when err is not
// an *Error from the keys API.
func ErrorCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// ErrClusterUnavailable is matched (errors.Is) by every *ClusterError. Its
// text is etcd's, word for word, because skiffctl must print what etcdctl
// prints (contract §5.4).
var ErrClusterUnavailable = errors.New("client: etcd cluster is unavailable or misconfigured")

// ErrNoEndpoints is returned when the client has no endpoint to try, e.g.
// after a sync found members that publish no client URLs.
var ErrNoEndpoints = errors.New("client: no endpoints available")

// ClusterError means no endpoint gave an answer: each one was unreachable,
// timed out, or failed with a 5xx. Errors holds one error per attempt, in
// the order the endpoints were tried. A *ClusterError is never an answer
// from the cluster; that is *Error.
type ClusterError struct {
	Errors []error
}

// Error is etcd's one-line form:
// "client: etcd cluster is unavailable or misconfigured; error #0: ...".
func (ce *ClusterError) Error() string {
	var b strings.Builder
	b.WriteString(ErrClusterUnavailable.Error())
	for i, err := range ce.Errors {
		fmt.Fprintf(&b, "; error #%d: %s\n", i, err)
	}
	return b.String()
}

// Detail lists each attempt's error on its own line, as etcdctl prints it
// after the Error line.
func (ce *ClusterError) Detail() string {
	var b strings.Builder
	for i, err := range ce.Errors {
		fmt.Fprintf(&b, "error #%d: %s\n", i, err)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrClusterUnavailable) true.
func (ce *ClusterError) Is(target error) bool { return target == ErrClusterUnavailable }

// Unwrap exposes the per-endpoint errors to errors.Is and errors.As.
func (ce *ClusterError) Unwrap() []error { return ce.Errors }
