// Package ctl is skiffctl: a drop-in for etcdctl v2 (contract §5), for
// skiff and for etcd's v2 API alike. Every command, flag, output format,
// error line and exit code is etcdctl 3.4.23's, byte for byte, except the
// differences listed in docs/skiffctl.md (the version line, SKIFF_* lines
// from member add, SKIFFCTL_* environment variables, check perf).
//
// All HTTP goes through skiff/client; ctl only turns command lines into
// client calls and answers into etcdctl's text.
//
// Run is the whole program; cmd/skiffctl only wires it to the process.
// Commands never exit the process: they return an exitError carrying the
// exit code and the exact bytes for stderr (exit.go).
//
// Files:
//
//	app.go        Run, the urfave/cli application, usage errors, --version
//	argorder.go   flags after arguments, as etcdctl's urfave/cli v1 allowed
//	flags.go      global flags and their SKIFFCTL_ variables (§5.1)
//	globals.go    reading the global options; endpoint lookup order
//	discovery.go  --discovery-srv: endpoints from DNS SRV records
//	connect.go    building the client, --debug lines, member sync (exit 2)
//	terminal.go   terminal detection and password prompts
//	exit.go       exit codes and etcdctl's error lines (§5.4)
//	format.go     -o simple|extended|json (§5.3)
//	args.go       key and value arguments, --ttl
//	keys.go       the shared shape of the key commands
//	set.go        set, update, mk
//	get.go        get, ls
//	dirs.go       mkdir, setdir, updatedir
//	rm.go         rm, rmdir
//	watch.go      watch
//	execwatch.go  exec-watch
//	member.go     member list/add/remove/update (§5.5)
//	health.go     cluster-health
//	user.go       user add/get/list/remove/grant/revoke/passwd
//	role.go       role add/get/list/remove/grant/revoke
//	auth.go       auth enable/disable
//	backup.go     backup (§9)
//	perf*.go      check perf: load, statistics, report, progress bar
//
// Tests: golden_test.go runs testdata/*.script through skiffctl and, where
// installed, through the real etcdctl against a second etcd, and compares
// both with testdata/*.golden (recorded from etcdctl with -update);
// tutorial_test.go is etcd's classic tutorial; server_test.go's startServer
// decides which server they run against.
package ctl
