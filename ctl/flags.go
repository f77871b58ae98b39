package ctl

import (
	"time"

	"github.com/urfave/cli/v2"
)

// envPrefix starts the name of every environment variable skiffctl reads:
// SKIFFCTL_ plus the flag's name in upper case with "-" turned into "_",
// where etcdctl reads ETCDCTL_ (contract §5.1). A flag given on the command
// line beats its variable.
const envPrefix = "SKIFFCTL_"

// defaultEndpoints is etcdctl's default endpoint list (contract §5.1).
const defaultEndpoints = "http://127.0.0.1:2379,http://127.0.0.1:4001"

// envVar names the environment variable for a global flag.
func envVar(name string) []string {
	b := []byte(name)
	for i, c := range b {
		switch {
		case c == '-':
			b[i] = '_'
		case c >= 'a' && c <= 'z':
			b[i] = c - 'a' + 'A'
		}
	}
	return []string{envPrefix + string(b)}
}

// globalFlags are etcdctl v2's global options (contract §5.1), each with
// its SKIFFCTL_ variable. Endpoints are looked up in etcdctl's order:
// --endpoints, SKIFFCTL_ENDPOINTS, --endpoint, SKIFFCTL_ENDPOINT, --peers,
// SKIFFCTL_PEERS, then the default; each flag carrying its own variable
// gives exactly that order. --insecure-discovery's variable is read by hand
// because etcdctl accepts any non-empty value there.
func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "debug", Usage: "output cURL commands which can be used to reproduce the request", EnvVars: envVar("debug")},
		&cli.BoolFlag{Name: "no-sync", Usage: "don't synchronize cluster information before sending request", EnvVars: envVar("no-sync")},
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "simple", Usage: "output response in the given format (`simple`, `extended` or `json`)", EnvVars: envVar("output")},
		&cli.StringFlag{Name: "discovery-srv", Aliases: []string{"D"}, Usage: "domain name to query for SRV records describing cluster endpoints", EnvVars: envVar("discovery-srv")},
		&cli.BoolFlag{Name: "insecure-discovery", Usage: "accept insecure SRV records describing cluster endpoints"},
		&cli.StringFlag{Name: "peers", Aliases: []string{"C"}, Usage: "DEPRECATED - \"--endpoints\" should be used instead", EnvVars: envVar("peers")},
		&cli.StringFlag{Name: "endpoint", Usage: "DEPRECATED - \"--endpoints\" should be used instead", EnvVars: envVar("endpoint")},
		&cli.StringFlag{Name: "endpoints", Usage: "a comma-delimited list of machine addresses in the cluster (default: \"" + defaultEndpoints + "\")", EnvVars: envVar("endpoints")},
		&cli.StringFlag{Name: "cert-file", Usage: "identify HTTPS client using this SSL certificate file", EnvVars: envVar("cert-file")},
		&cli.StringFlag{Name: "key-file", Usage: "identify HTTPS client using this SSL key file", EnvVars: envVar("key-file")},
		&cli.StringFlag{Name: "ca-file", Usage: "verify certificates of HTTPS-enabled servers using this CA bundle", EnvVars: envVar("ca-file")},
		&cli.StringFlag{Name: "username", Aliases: []string{"u"}, Usage: "provide username[:password] and prompt if password is not supplied.", EnvVars: envVar("username")},
		&cli.DurationFlag{Name: "timeout", Value: 2 * time.Second, Usage: "connection timeout per request", EnvVars: envVar("timeout")},
		&cli.DurationFlag{Name: "total-timeout", Value: 5 * time.Second, Usage: "timeout for the command execution (except watch)", EnvVars: envVar("total-timeout")},
	}
}
