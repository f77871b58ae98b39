package store

import (
	"errors"
	"fmt"
	"net/http"
)

// The v2 error codes (contract §2). Key errors are 1xx, form errors 2xx, raft
// errors 3xx and etcd's internal errors 4xx; 103, 106, 109 and 402–500 are
// kept so that every code in the contract has a name, though skiff never
// produces some of them.
const (
	EcodeKeyNotFound      = 100
	EcodeTestFailed       = 101
	EcodeNotFile          = 102
	EcodeNoMorePeer       = 103
	EcodeNotDir           = 104
	EcodeNodeExist        = 105
	EcodeKeyIsPreserved   = 106
	EcodeRootROnly        = 107
	EcodeDirNotEmpty      = 108
	EcodeExistingPeerAddr = 109
	EcodeUnauthorized     = 110

	EcodeValueRequired        = 200
	EcodePrevValueRequired    = 201
	EcodeTTLNaN               = 202
	EcodeIndexNaN             = 203
	EcodeValueOrTTLRequired   = 204
	EcodeTimeoutNaN           = 205
	EcodeNameRequired         = 206
	EcodeIndexOrValueRequired = 207
	EcodeIndexValueMutex      = 208
	EcodeInvalidField         = 209
	EcodeInvalidForm          = 210
	EcodeRefreshValue         = 211
	EcodeRefreshTTLRequired   = 212

	EcodeRaftInternal = 300
	EcodeLeaderElect  = 301

	EcodeWatcherCleared     = 400
	EcodeEventIndexCleared  = 401
	EcodeStandbyInternal    = 402
	EcodeInvalidActiveSize  = 403
	EcodeInvalidRemoveDelay = 404

	EcodeClientInternal = 500
)

// errorMessages holds the fixed message of every code, word for word as etcd
// sends it (contract §2).
var errorMessages = map[int]string{
	EcodeKeyNotFound:      "Key not found",
	EcodeTestFailed:       "Compare failed",
	EcodeNotFile:          "Not a file",
	EcodeNoMorePeer:       "Reached the max number of peers in the cluster",
	EcodeNotDir:           "Not a directory",
	EcodeNodeExist:        "Key already exists",
	EcodeKeyIsPreserved:   "The prefix of given key is a keyword in etcd",
	EcodeRootROnly:        "Root is read only",
	EcodeDirNotEmpty:      "Directory not empty",
	EcodeExistingPeerAddr: "Peer address has existed",
	EcodeUnauthorized:     "The request requires user authentication",

	EcodeValueRequired:        "Value is Required in POST form",
	EcodePrevValueRequired:    "PrevValue is Required in POST form",
	EcodeTTLNaN:               "The given TTL in POST form is not a number",
	EcodeIndexNaN:             "The given index in POST form is not a number",
	EcodeValueOrTTLRequired:   "Value or TTL is required in POST form",
	EcodeTimeoutNaN:           "The given timeout in POST form is not a number",
	EcodeNameRequired:         "Name is required in POST form",
	EcodeIndexOrValueRequired: "Index or value is required",
	EcodeIndexValueMutex:      "Index and value cannot both be specified",
	EcodeInvalidField:         "Invalid field",
	EcodeInvalidForm:          "Invalid POST form",
	EcodeRefreshValue:         "Value provided on refresh",
	EcodeRefreshTTLRequired:   "A TTL must be provided on refresh",

	EcodeRaftInternal: "Raft Internal Error",
	EcodeLeaderElect:  "During Leader Election",

	EcodeWatcherCleared:     "watcher is cleared due to etcd recovery",
	EcodeEventIndexCleared:  "The event in requested index is outdated and cleared",
	EcodeStandbyInternal:    "Standby Internal Error",
	EcodeInvalidActiveSize:  "Invalid active size",
	EcodeInvalidRemoveDelay: "Standby remove delay",

	EcodeClientInternal: "Client Internal Error",
}

// errorStatus lists the codes whose HTTP status is not 400 (contract §2 and
// §10.1: 401, "history cleared", is sent with 400 like every code not here).
var errorStatus = map[int]int{
	EcodeKeyNotFound:  http.StatusNotFound,
	EcodeTestFailed:   http.StatusPreconditionFailed,
	EcodeNotFile:      http.StatusForbidden,
	EcodeNodeExist:    http.StatusPreconditionFailed,
	EcodeDirNotEmpty:  http.StatusForbidden,
	EcodeUnauthorized: http.StatusUnauthorized,
	EcodeRaftInternal: http.StatusInternalServerError,
	EcodeLeaderElect:  http.StatusInternalServerError,
}

// Error is the one error type of the v2 keys API. It marshals to the
// contract's error body, {"errorCode":100,"message":"Key not found",
// "cause":"/foo","index":7} (§2), and knows its HTTP status, so the API layer
// needs no table of its own. Index is the store index when the error
// happened; parse and auth errors carry 0 (§1.2).
type Error struct {
	ErrorCode int    `json:"errorCode"`
	Message   string `json:"message"`
	Cause     string `json:"cause,omitempty"`
	Index     uint64 `json:"index"`
}

// NewError returns the error with the given code, its fixed message, a cause
// and the store index. An unknown code is a programming error; it gets the
// message "Unknown error" rather than a panic, so a bad code can never take a
// server down.
func NewError(code int, cause string, index uint64) *Error {
	msg, ok := errorMessages[code]
	if !ok {
		msg = "Unknown error"
	}
	return &Error{ErrorCode: code, Message: msg, Cause: cause, Index: index}
}

// Error formats the error as etcd's client prints it: "100: Key not found
// (/foo) [7]".
func (e *Error) Error() string {
	return fmt.Sprintf("%d: %s (%s) [%d]", e.ErrorCode, e.Message, e.Cause, e.Index)
}

// StatusCode is the HTTP status the error is sent with (contract §2).
func (e *Error) StatusCode() int {
	if s, ok := errorStatus[e.ErrorCode]; ok {
		return s
	}
	return http.StatusBadRequest
}

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, store.ErrKeyNotFound("", 0)) matches any "key not found".
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.ErrorCode == e.ErrorCode
}

// Code returns the v2 error code of err, or 0 when err is not an *Error.
func Code(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.ErrorCode
	}
	return 0
}
