package ctl

import (
	"errors"
	"fmt"

	"skiff/client"
)

// The exit codes etcdctl v2 uses, and so skiffctl (contract §5.4).
const (
	ExitSuccess           = 0 // the command did what was asked
	ExitBadArgs           = 1 // missing arguments, a bad endpoint, any member/user/role/auth failure
	ExitBadConnection     = 2 // no endpoint answered while syncing the member list
	ExitBadAuth           = 3 // unused by the commands; urfave/cli uses 3 for an unknown command
	ExitServerError       = 4 // any keys-API error, or no endpoint answered with --no-sync
	ExitClusterNotHealthy = 5 // cluster-health found a member that is not healthy
)

// exitError ends a command: Run writes text to stderr exactly as given and
// returns code. Commands never call os.Exit; they return one of these.
type exitError struct {
	code int
	text string
}

func (e *exitError) Error() string { return e.text }

// exitf returns an exitError whose text is the formatted line plus "\n".
func exitf(code int, format string, args ...any) error {
	return &exitError{code: code, text: fmt.Sprintf(format, args...) + "\n"}
}

// exitRaw returns an exitError printing text as is (no newline added), for
// the few etcdctl messages that end without one.
func exitRaw(code int, text string) error {
	return &exitError{code: code, text: text}
}

// handleError is etcdctl's way of reporting a failed keys request
// (contract §5.4): "Error:  <err>" with two spaces, and for a cluster
// error, the list of per-endpoint errors after a blank line. Even with
// -o json the text form is printed, as etcdctl 3.4.23 does.
func handleError(code int, err error) error {
	text := fmt.Sprintln("Error: ", err)
	var ce *client.ClusterError
	if errors.As(err, &ce) {
		text += fmt.Sprintln(ce.Detail())
	}
	return &exitError{code: code, text: text}
}

// badArgs is handleError for a usage mistake, e.g. "key required".
func badArgs(msg string) error {
	return handleError(ExitBadArgs, errors.New(msg))
}

// plainError is how member, user, role and auth commands fail: the error's
// text on its own line, exit 1 (contract §5.4).
func plainError(err error) error {
	return exitf(ExitBadArgs, "%s", err.Error())
}
