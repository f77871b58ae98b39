// Package config reads the configuration of the skiff server binary from
// command-line flags, SKIFF_* environment variables or a YAML config file,
// with etcd's names and defaults so an etcd v2 member's command line or
// config file works unchanged (contract §6, §7, §9).
//
// cmd/skiff's main uses it like this:
//
//	cfg, err := config.Parse(os.Args[1:], os.Environ())
//	// errors.Is(err, config.ErrHelp): print config.Usage, exit 0
//	// errors.As(err, new(*config.UsageError)): print err and the hint, exit 2
//	// any other error: print it, exit 1
//	if cfg.PrintVersion { ... }
//	for _, w := range cfg.Warnings { log it }
//	if err := cfg.Validate(); err != nil { print it, exit 1 }
//	// and, when the data dir has no WAL yet (a member bootstrapping):
//	if err := cfg.ValidateBootstrap(); err != nil { print it, exit 1 }
//
// The pieces, one per file:
//
//	config.go    Config, its defaults and the reason for each
//	values.go    flag.Value types: milliseconds, URL lists, choices, ...
//	options.go   the table of options: name, group, help text, target field
//	parse.go     Parse: flags, then either the config file or SKIFF_* vars
//	env.go       SKIFF_* environment variables
//	file.go      the YAML config file
//	compat.go    etcd flags skiff accepts and ignores, or refuses
//	derive.go    values derived after parsing (data dir, initial cluster)
//	validate.go  Validate: the checks made on every start
//	tls.go       the TLS part of Validate
//	bootstrap.go ValidateBootstrap, the cluster token, member and cluster IDs
//	help.go      Usage: --help in etcd's layout
//	dirs.go      the data-dir layout (contract §6.4)
//	logging.go   SlogLevel
package config
