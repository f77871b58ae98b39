package ctl

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// reorderArgs lets a command's flags follow its arguments, as etcdctl
// allows ("role grant r1 --path /x --read", "get /k --sort"). etcdctl's
// urfave/cli v1 moved every argument naming one of the command's flags,
// and the value after it, to the front; urfave/cli v2 stops at the first
// argument instead. This does v1's move before v2 parses:
//
//  1. skip the global flags and find the command (and subcommand);
//  2. move each argument that names one of that command's flags, and the
//     argument after it, to the front (see moveFlagsFirst for "--").
//
// Anything else, like "set /k -5", stays an argument, as it does for etcdctl.
func reorderArgs(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	i := skipFlags(app.Flags, args, 1)
	if i >= len(args) {
		return args
	}
	cmd := findCommand(app.Commands, args[i])
	if cmd == nil {
		return args
	}
	i++
	if len(cmd.Subcommands) > 0 {
		if i >= len(args) {
			return args
		}
		if cmd = findCommand(cmd.Subcommands, args[i]); cmd == nil {
			return args
		}
		i++
	}
	out := append([]string{}, args[:i]...)
	return append(out, moveFlagsFirst(cmd.Flags, args[i:])...)
}

// skipFlags returns the index of the first argument at or after i that is
// not a flag of flags or a flag's value.
func skipFlags(flags []cli.Flag, args []string, i int) int {
	for i < len(args) {
		a := args[i]
		if a == "--" {
			return i + 1
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			return i
		}
		f := lookupFlag(flags, a)
		if _, isBool := f.(*cli.BoolFlag); f != nil && !isBool && !strings.Contains(a, "=") {
			i++ // the flag's value
		}
		i++
	}
	return i
}

// moveFlagsFirst is urfave/cli v1.22's argument reordering for one
// command. An argument right after a flag is taken as its value, even after
// a boolean flag (harmless: parsing then stops there). A "--" goes to the
// front of the remaining arguments, so the parser consumes it: this is why
// etcdctl exec-watch ends up taking the last argument as the key.
func moveFlagsFirst(flags []cli.Flag, args []string) []string {
	var flagArgs, rest []string
	valueNext := false
	for i, a := range args {
		isFlag := lookupFlag(flags, a) != nil
		switch {
		case valueNext && !isFlag:
			valueNext = false
			flagArgs = append(flagArgs, a)
		case a == "--":
			rest = append([]string{"--"}, rest...)
			rest = append(rest, args[i+1:]...)
			return append(flagArgs, rest...)
		case isFlag:
			flagArgs = append(flagArgs, a)
			valueNext = !strings.Contains(a, "=")
		default:
			rest = append(rest, a)
		}
	}
	return append(flagArgs, rest...)
}

// lookupFlag finds the flag an argument such as "--ttl=5" or "-r" names.
func lookupFlag(flags []cli.Flag, arg string) cli.Flag {
	if arg == "-" || arg == "--" || !strings.HasPrefix(arg, "-") {
		return nil
	}
	name := strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
	name, _, _ = strings.Cut(name, "=")
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

// findCommand finds a command by name or alias.
func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}
