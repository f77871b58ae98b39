package ctl

import (
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// isTerminal reports whether w (or r) is an *os.File on a terminal. Only
// then does skiffctl draw a progress bar or read a password without echo.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// askPassword prints prompt to stdout and reads one line from stdin, with
// echo turned off when stdin is a terminal, then ends the prompt's line:
// etcdctl's "Password: " and "New password: " prompts. On a pipe it reads
// the line as is, so scripts can feed a password; an empty stdin gives an
// empty password, which the server refuses, as with etcdctl.
func (r *runner) askPassword(prompt string) (string, error) {
	fmt.Fprint(r.Stdout, prompt)
	defer fmt.Fprintln(r.Stdout)
	if f, ok := r.Stdin.(*os.File); ok && isTerminal(f) {
		fd := int(f.Fd())
		old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
		if err != nil {
			return "", err
		}
		noEcho := *old
		noEcho.Lflag &^= unix.ECHO
		if err := unix.IoctlSetTermios(fd, unix.TCSETS, &noEcho); err != nil {
			return "", err
		}
		defer unix.IoctlSetTermios(fd, unix.TCSETS, old)
	}
	return readLine(r.Stdin)
}

// readLine reads up to the first newline, without it. It reads one byte at
// a time so that nothing after the line is consumed from a shared stdin.
func readLine(in io.Reader) (string, error) {
	var b strings.Builder
	one := make([]byte, 1)
	for {
		n, err := in.Read(one)
		if n == 1 {
			if one[0] == '\n' {
				return strings.TrimSuffix(b.String(), "\r"), nil
			}
			b.WriteByte(one[0])
		}
		if err == io.EOF {
			return b.String(), nil
		}
		if err != nil {
			return "", err
		}
	}
}
