// Command skiff runs one member of a skiff cluster: etcd's v2 server, with
// etcd's flags (see docs/configuration.md and package skiff/server).
// With no flags it starts a one-member cluster on localhost:2379 (clients)
// and localhost:2380 (peers) with its data in ./default.skiff.
//
// Exit codes: 0 after a clean stop (SIGTERM or SIGINT), 1 when the member
// cannot start or stops on an error, 2 for a command line that does not
// parse.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"skiff/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := server.Run(ctx, os.Args[1:], os.Environ(), server.Streams{Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}
