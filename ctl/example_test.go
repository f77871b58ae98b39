package ctl_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"skiff/ctl"
)

// ExampleRun runs skiffctl in-process against a server that holds one key,
// as cmd/skiffctl runs it against a real cluster, and shows the extended
// output format and the exit code.
func ExampleRun() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Etcd-Index", "8")
		fmt.Fprintln(w, `{"action":"get","node":{"key":"/greeting","value":"Hello world","modifiedIndex":7,"createdIndex":7}}`)
	}))
	defer srv.Close()

	code := ctl.Run(context.Background(),
		[]string{"skiffctl", "--no-sync", "--endpoints", srv.URL, "-o", "extended", "get", "/greeting"},
		ctl.Streams{Stdin: strings.NewReader(""), Stdout: os.Stdout, Stderr: os.Stdout})
	fmt.Println("exit", code)
	// Output:
	// Key: /greeting
	// Created-Index: 7
	// Modified-Index: 7
	// TTL: 0
	// Index: 8
	//
	// Hello world
	// exit 0
}
