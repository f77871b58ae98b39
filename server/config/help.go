package config

import (
	"fmt"
	"io"
	"strings"
)

// Usage writes the --help text in etcd's layout: the ways to run the
// command, then every flag by group with its default in quotes, then how
// environment variables and the config file relate to the flags.
func Usage(w io.Writer) {
	var b strings.Builder
	b.WriteString(usageHeader)
	opts := (&Config{}).options()
	for _, group := range groupOrder {
		fmt.Fprintf(&b, "\n%s:\n", group)
		for _, o := range opts {
			if o.group == group {
				fmt.Fprintf(&b, "  --%s '%s'\n    %s\n", o.name, o.def, o.usage)
			}
		}
	}
	for _, group := range []string{groupIgnored, groupUnsupported} {
		fmt.Fprintf(&b, "\n%s:\n", group)
		line := " "
		for _, o := range opts {
			if o.group != group {
				continue
			}
			if len(line)+len(o.name)+3 > 80 {
				b.WriteString(line + "\n")
				line = " "
			}
			line += " --" + o.name
		}
		b.WriteString(line + "\n")
	}
	b.WriteString(usageFooter)
	io.WriteString(w, b.String())
}

const usageHeader = `Usage:

  skiff [flags]
    Start a skiff server.

  skiff --version
    Show the version of skiff.

  skiff -h | --help
    Show the help information about skiff.

  skiff --config-file
    Path to the server configuration file (YAML, with etcd's keys). Note that if a configuration file is provided, other command line flags and environment variables will be ignored.

`

const usageFooter = `
Every flag can also be set by an environment variable: SKIFF_ and the flag
name in upper case with '-' as '_' (--initial-cluster-token is
SKIFF_INITIAL_CLUSTER_TOKEN). A flag and its variable together are an error.
ETCD_* variables are not read.

CAUTIOUS with unsafe flag! It may break the guarantees given by the consensus protocol!
`
