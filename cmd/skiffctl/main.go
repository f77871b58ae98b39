// Command skiffctl is a drop-in for etcdctl v2: the same commands, flags,
// output and exit codes, for skiff and for etcd's v2 API. See
// docs/skiffctl.md and package skiff/ctl.
package main

import (
	"context"
	"os"
	"os/signal"

	"skiff/ctl"
	"skiff/server"
)

func main() {
	// SIGINT ends a watch with exit 0, as it does for etcdctl.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := ctl.RunWith(ctx, os.Args, ctl.Streams{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, deps)
	stop()
	os.Exit(code)
}

// deps gives ctl what it needs from skiff's server: backup recognises a
// member attribute publish with server.PublishedMember (contract §9).
var deps = ctl.Deps{PublishedMember: server.PublishedMember, RewriteMetadataIDs: server.RewriteMetadataIDs}
