package ctl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"
)

// Version is skiffctl's own version, printed by --version in etcdctl's
// shape ("skiffctl version: 0.1.0" then "API version: 2").
const Version = "0.1.0"

// Streams are the standard streams a run reads and writes. Tests pass
// buffers; cmd/skiffctl passes the process's own.
type Streams struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Deps are what skiffctl needs from skiff beyond skiff/client. They are
// passed in by cmd/skiffctl so that package ctl does not import the server:
// the key, member and auth commands keep building and working whatever
// state the server package is in.
type Deps struct {
	// PublishedMember reports whether the data of a normal raft entry is a
	// member attribute publish (skiff/server's CommandPublish) and whose.
	// backup drops such entries (contract §9); without it backup refuses.
	PublishedMember func(entryData []byte) (memberID uint64, ok bool)
	// RewriteMetadataIDs returns WAL metadata with the member and cluster
	// IDs replaced (skiff/server's encoding); backup gives the copy new
	// IDs with it (contract §9); without it backup refuses.
	RewriteMetadataIDs func(meta []byte, memberID, clusterID uint64) ([]byte, error)
}

// runner holds what every command of one run shares.
type runner struct {
	Streams
	deps   Deps
	ctx    context.Context
	getenv func(string) string
}

// Run executes skiffctl with args (args[0] is the program name) and returns
// the exit code (contract §5.4). Cancelling ctx ends a watch or a check
// perf early with exit 0, as SIGINT does for etcdctl. Run has no Deps, so
// backup is refused; cmd/skiffctl uses RunWith.
func Run(ctx context.Context, args []string, s Streams) int {
	return RunWith(ctx, args, s, Deps{})
}

// RunWith is Run with the dependencies on the rest of skiff.
func RunWith(ctx context.Context, args []string, s Streams, deps Deps) int {
	r := &runner{Streams: s, deps: deps, ctx: ctx, getenv: os.Getenv}
	app := r.app()
	for _, f := range app.Flags {
		etcdctlFlagStyle(f)
	}
	for _, cmd := range app.Commands {
		etcdctlStyle(cmd, "skiffctl")
	}
	err := app.RunContext(ctx, reorderArgs(app, args))
	return r.exitCode(err)
}

// exitCode prints err the way its kind asks and maps it to an exit code.
func (r *runner) exitCode(err error) int {
	if err == nil {
		return ExitSuccess
	}
	var ee *exitError
	if errors.As(err, &ee) {
		io.WriteString(r.Stderr, ee.text)
		return ee.code
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		if msg := ec.Error(); msg != "" {
			fmt.Fprintln(r.Stderr, msg)
		}
		return ec.ExitCode()
	}
	// A flag the parser refused: etcdctl prints the reason and exits 1.
	fmt.Fprintln(r.Stderr, err)
	return ExitBadArgs
}

// app builds the urfave/cli application with every etcdctl v2 command
// (contract §5.2) plus check perf.
func (r *runner) app() *cli.App {
	return &cli.App{
		Name:                      "skiffctl",
		Usage:                     "A simple command line client for skiff and etcd (v2 API).",
		UsageText:                 "skiffctl [global options] command [command options] [arguments...]",
		Version:                   Version,
		Writer:                    r.Stdout,
		ErrWriter:                 r.Stderr,
		Reader:                    r.Stdin,
		Flags:                     globalFlags(),
		DisableSliceFlagSeparator: true, // etcdctl sends "--roles a,b" as one role "a,b" (contract §5.2)
		ExitErrHandler:            func(*cli.Context, error) {},
		OnUsageError:              usageError("Incorrect Usage."),
		Commands: []*cli.Command{
			r.backupCommand(),
			r.clusterHealthCommand(),
			r.mkCommand(),
			r.mkdirCommand(),
			r.rmCommand(),
			r.rmdirCommand(),
			r.getCommand(),
			r.lsCommand(),
			r.setCommand(),
			r.setdirCommand(),
			r.updateCommand(),
			r.updatedirCommand(),
			r.watchCommand(),
			r.execWatchCommand(),
			r.memberCommand(),
			r.userCommand(),
			r.roleCommand(),
			r.authCommand(),
			r.checkCommand(),
		},
	}
}

// usageError reports a flag the parser refused as etcdctl does: on stdout
// "<prefix> <reason>", a blank line and the help; on stderr the reason;
// exit 1. etcdctl's prefix is "Incorrect Usage." for a global flag and
// "Incorrect Usage:" for a command's flag.
func usageError(prefix string) cli.OnUsageErrorFunc {
	return func(c *cli.Context, err error, isSubcommand bool) error {
		fmt.Fprintf(c.App.Writer, "%s %v\n\n", prefix, err)
		if c.Command != nil && c.Command.Name != "" {
			cli.HelpPrinter(c.App.Writer, cli.CommandHelpTemplate, c.Command)
		} else {
			_ = cli.ShowAppHelp(c)
		}
		return exitf(ExitBadArgs, "%v", err)
	}
}

// etcdctlStyle gives cmd and its subcommands etcdctl's usage error and
// help layout: group commands say "<cmd> command [command options]
// [arguments...]", and boolean flags show no "(default: false)".
func etcdctlStyle(cmd *cli.Command, parent string) {
	cmd.OnUsageError = usageError("Incorrect Usage:")
	if len(cmd.Subcommands) > 0 {
		cmd.UsageText = parent + " " + cmd.Name + " command [command options] [arguments...]"
	}
	for _, f := range cmd.Flags {
		etcdctlFlagStyle(f)
	}
	for _, sub := range cmd.Subcommands {
		etcdctlStyle(sub, parent+" "+cmd.Name)
	}
}

// etcdctlFlagStyle hides the default of a boolean flag in help, as
// etcdctl's urfave/cli v1 did.
func etcdctlFlagStyle(f cli.Flag) {
	if b, ok := f.(*cli.BoolFlag); ok {
		b.DisableDefaultText = true
	}
}

// printVersion prints --version in etcdctl's shape (contract §5.1).
func printVersion(c *cli.Context) {
	fmt.Fprintf(c.App.Writer, "skiffctl version: %s\n", c.App.Version)
	fmt.Fprintln(c.App.Writer, "API version: 2")
}

func init() {
	// VersionPrinter is a package variable of urfave/cli; set it once here
	// rather than per run, so parallel runs in tests do not race on it.
	cli.VersionPrinter = printVersion
}
