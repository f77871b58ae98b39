// Command skiffctl is a drop-in for etcdctl v2: the same commands, flags,
// output and exit codes, for skiff and for etcd's v2 API. See
// docs/skiffctl.md and package skiff/ctl.
package main

import (
	"context"
	"os"
	"os/signal"

	"skiff/ctl"
)

func main() {
	// SIGINT ends a watch with exit 0, as it does for etcdctl.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := ctl.Run(ctx, os.Args, ctl.Streams{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}
