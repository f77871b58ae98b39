package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"skiff/server/config"
	"skiff/transport"
)

// Exit codes of the skiff binary, as etcd's.
const (
	ExitOK      = 0 // clean stop (SIGTERM, SIGINT), --help, --version
	ExitFailure = 1 // a startup error or a fatal error while running
	ExitUsage   = 2 // a command line the flag parser refused
)

// Streams are where Run writes: stdout for --help and --version, stderr for
// errors and (by default) logs.
type Streams struct {
	Stdout, Stderr io.Writer
}

// Run is the skiff binary: it reads the configuration from args (without the
// program name) and environ, starts the member and serves until ctx ends
// (cmd/skiff cancels it on SIGTERM or SIGINT), then stops gracefully.
// It returns the process's exit code; a startup error is printed as one line
// naming the setting and the way out.
func Run(ctx context.Context, args, environ []string, io Streams) int {
	cfg, err := config.Parse(args, environ)
	var usage *config.UsageError
	switch {
	case errors.Is(err, config.ErrHelp):
		config.Usage(io.Stdout)
		return ExitOK
	case errors.As(err, &usage):
		fmt.Fprintf(io.Stderr, "skiff: %v\n", err)
		return ExitUsage
	case err != nil:
		fmt.Fprintf(io.Stderr, "skiff: %v\n", err)
		return ExitFailure
	}
	if cfg.PrintVersion {
		v := transport.DefaultVersion
		fmt.Fprintf(io.Stdout, "skiff Version: %s\netcd API compatible with: %s\n", v.Server, v.Cluster)
		return ExitOK
	}
	lg, closeLog, err := newLogger(cfg, io)
	if err != nil {
		fmt.Fprintf(io.Stderr, "skiff: %v\n", err)
		return ExitFailure
	}
	defer closeLog()
	for _, w := range cfg.Warnings {
		lg.Warn(w)
	}
	s, err := New(cfg, Options{Logger: lg})
	if err == nil {
		err = s.Start()
		if err != nil {
			s.Stop()
		}
	}
	if err != nil {
		fmt.Fprintf(io.Stderr, "skiff: %v\n", err)
		return ExitFailure
	}
	select {
	case <-ctx.Done():
		lg.Info("received a stop signal; stopping gracefully")
	case <-s.Done():
	}
	if err := s.Stop(); err != nil {
		fmt.Fprintf(io.Stderr, "skiff: %v\n", err)
		return ExitFailure
	}
	return ExitOK
}

// newLogger builds the member's logger from --log-outputs and --log-level.
func newLogger(cfg *config.Config, streams Streams) (*slog.Logger, func(), error) {
	var writers []io.Writer
	var files []*os.File
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	for _, out := range cfg.LogOutputs {
		switch out {
		case "default", "stderr":
			writers = append(writers, streams.Stderr)
		case "stdout":
			writers = append(writers, streams.Stdout)
		default:
			f, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
			if err != nil {
				closeAll()
				return nil, nil, fmt.Errorf("--log-outputs: cannot open %s (%w); give a writable file, stderr or stdout", out, err)
			}
			files = append(files, f)
			writers = append(writers, f)
		}
	}
	h := slog.NewTextHandler(io.MultiWriter(writers...), &slog.HandlerOptions{Level: cfg.SlogLevel()})
	return slog.New(h), closeAll, nil
}
