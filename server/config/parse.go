package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ErrHelp is returned by Parse when -h or --help is given: main prints
// Usage and exits 0, as etcd does.
var ErrHelp = flag.ErrHelp

// UsageError is a command line the flag parser refused: an unknown flag, a
// flag without its value, or a value of the wrong form. Its text is the
// standard library's, which is also etcd's ("invalid value \"x\" for flag
// -initial-cluster-state: ..."). etcd exits 2 for these and 1 for every
// other configuration error; main should do the same.
type UsageError struct{ Err error }

func (e *UsageError) Error() string {
	return e.Err.Error() + "; see 'skiff --help'"
}

func (e *UsageError) Unwrap() error { return e.Err }

// Parse reads the configuration from args (the command line without the
// program name) and environ (KEY=VALUE pairs, as os.Environ returns them),
// the way etcd 3.4 does (contract §6.1–§6.3):
//
//  1. The flags are parsed; --flag value and --flag=value both work.
//  2. If --config-file (or SKIFF_CONFIG_FILE) names a YAML file, the
//     configuration comes from that file alone: every other flag and every
//     SKIFF_ variable is ignored, with a warning listing them.
//  3. Otherwise each SKIFF_<FLAG> variable with a non-empty value sets its
//     option, unless the flag is also on the command line, which is an
//     error. An unknown SKIFF_ variable is a warning.
//  4. Values left empty are derived (derive.go).
//
// Parse does not check that the values fit together; call Validate. When
// --version is given Parse stops after step 1 and returns a Config with
// PrintVersion set.
func Parse(args, environ []string) (*Config, error) {
	c := defaults()
	fs := c.flagSet()
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, ErrHelp
		}
		return nil, &UsageError{Err: err}
	}
	if fs.NArg() != 0 {
		return nil, fmt.Errorf("'%s' is not a valid flag; flags start with -- and take their value after a space or '=' (see 'skiff --help')", fs.Arg(0))
	}
	if c.PrintVersion {
		return c, nil
	}
	onCmdLine := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { onCmdLine[f.Name] = true })
	env := envVars(environ)

	path := c.ConfigFile
	if path == "" {
		path = env[configFileEnv]
	}
	if path != "" {
		fc, err := loadFile(path)
		if err != nil {
			return nil, err
		}
		fc.ConfigFile = path
		fc.Warnings = append(fc.Warnings, ignoredByConfigFile(path, onCmdLine, env)...)
		c = fc
	} else {
		for name := range onCmdLine {
			c.set[name] = true
		}
		if err := c.applyEnv(env, onCmdLine); err != nil {
			return nil, err
		}
	}
	c.derive()
	return c, nil
}

// flagSet returns a FlagSet bound to c's fields. It prints nothing: Parse
// returns the errors and main decides what to print.
func (c *Config) flagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("skiff", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	for _, o := range c.options() {
		fs.Var(o.value, o.name, o.usage)
	}
	fs.Var(stringValue{&c.ConfigFile}, "config-file", "Path to the server configuration file.")
	fs.Var(boolValue{&c.PrintVersion}, "version", "Print the version and exit.")
	return fs
}

// ignoredByConfigFile lists, as warnings, the flags and SKIFF_ variables
// that a config file makes Parse ignore.
func ignoredByConfigFile(path string, onCmdLine map[string]bool, env map[string]string) []string {
	var flags, vars []string
	for name := range onCmdLine {
		if name != "config-file" {
			flags = append(flags, "--"+name)
		}
	}
	for key, val := range env {
		if key != configFileEnv && val != "" {
			vars = append(vars, key)
		}
	}
	slices.Sort(flags)
	slices.Sort(vars)
	var w []string
	if len(flags) > 0 {
		w = append(w, fmt.Sprintf("the configuration comes from --config-file %s, so the command-line flags %s are ignored; put them in the file instead", path, strings.Join(flags, ", ")))
	}
	if len(vars) > 0 {
		w = append(w, fmt.Sprintf("the configuration comes from --config-file %s, so the environment variables %s are ignored; put them in the file instead", path, strings.Join(vars, ", ")))
	}
	return w
}
