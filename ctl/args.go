package ctl

import (
	"io"
	"time"

	"github.com/urfave/cli/v2"
)

// keyArg is the first argument, or etcdctl's "Error:  key required".
// Arguments after the ones a command uses are ignored, as etcdctl ignores
// them (contract §5.2).
func keyArg(c *cli.Context) (string, error) {
	if c.NArg() == 0 {
		return "", badArgs("key required")
	}
	return c.Args().First(), nil
}

// valueArg is argument i or, when it is missing, all of stdin
// (echo -n v | skiffctl set k). An empty value from stdin counts as
// missing: "Error:  value required".
func (r *runner) valueArg(c *cli.Context, i int) (string, error) {
	if i < c.NArg() {
		return c.Args().Get(i), nil
	}
	if r.Stdin == nil {
		return "", badArgs("value required")
	}
	b, err := io.ReadAll(r.Stdin)
	if err != nil || len(b) == 0 {
		return "", badArgs("value required")
	}
	return string(b), nil
}

// keyValueArgs is keyArg then valueArg(c, 1), for set, update and mk.
func (r *runner) keyValueArgs(c *cli.Context) (key, value string, err error) {
	if key, err = keyArg(c); err != nil {
		return "", "", err
	}
	value, err = r.valueArg(c, 1)
	return key, value, err
}

// ttlFlag reads --ttl in seconds. etcdctl sends no TTL for zero or a
// negative number, so neither does skiffctl.
func ttlFlag(c *cli.Context) time.Duration {
	if n := c.Int("ttl"); n > 0 {
		return time.Duration(n) * time.Second
	}
	return 0
}

// ttlFlagDef is the --ttl flag shared by set, mk, mkdir, setdir, update and
// updatedir.
func ttlFlagDef() cli.Flag {
	return &cli.IntFlag{Name: "ttl", Value: 0, Usage: "key time-to-live in seconds"}
}
