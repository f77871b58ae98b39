package v2auth

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an auth failure the API reports with a status of its own
// (contract §4). Its text is "auth: " and the message, which the handler
// sends as {"message":"auth: ..."}.
type Error struct {
	Status  int
	Message string
}

// Error is "auth: " and the message, as etcd words it.
func (e *Error) Error() string { return "auth: " + e.Message }

func authErr(status int, format string, args ...any) *Error {
	return &Error{Status: status, Message: fmt.Sprintf(format, args...)}
}

// statusOf returns the HTTP status of an *Error in err's chain, or 0.
func statusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// The errors of contract §4 that callers may want to match.
var (
	// ErrNoRootUser: PUT /v2/auth/enable without a root user (409).
	ErrNoRootUser = authErr(http.StatusConflict, "No root user available, please create one")
	// ErrAlreadyEnabled: PUT /v2/auth/enable by root when auth is on (409).
	ErrAlreadyEnabled = authErr(http.StatusConflict, "already enabled")
	// ErrAlreadyDisabled: DELETE /v2/auth/enable when auth is off (409).
	ErrAlreadyDisabled = authErr(http.StatusConflict, "already disabled")
)
