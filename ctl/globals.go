package ctl

import (
	"net/url"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
)

// globals are the global options of one run, read once from the command
// line and the SKIFFCTL_ variables (contract §5.1).
type globals struct {
	debug        bool
	noSync       bool
	output       string // simple, extended or json; anything else is reported when printing
	endpoints    []string
	srvDomain    string // --discovery-srv
	srvName      string // SKIFFCTL_DISCOVERY_SRV_NAME: a suffix for the SRV service names
	insecureSRV  bool   // keep http:// endpoints found through SRV records
	certFile     string
	keyFile      string
	caFile       string
	username     string // user[:password]
	timeout      time.Duration
	totalTimeout time.Duration
}

// readGlobals collects the global options; c may be any command's context.
func (r *runner) readGlobals(c *cli.Context) globals {
	return globals{
		debug:        c.Bool("debug"),
		noSync:       c.Bool("no-sync"),
		output:       c.String("output"),
		endpoints:    endpointsFlag(c),
		srvDomain:    c.String("discovery-srv"),
		srvName:      r.getenv(envPrefix + "DISCOVERY_SRV_NAME"),
		insecureSRV:  c.Bool("insecure-discovery") || r.getenv(envPrefix+"INSECURE_DISCOVERY") != "",
		certFile:     c.String("cert-file"),
		keyFile:      c.String("key-file"),
		caFile:       c.String("ca-file"),
		username:     c.String("username"),
		timeout:      c.Duration("timeout"),
		totalTimeout: c.Duration("total-timeout"),
	}
}

// endpointsFlag applies etcdctl's lookup order: --endpoints, --endpoint,
// --peers (each already backed by its own variable), then the default.
func endpointsFlag(c *cli.Context) []string {
	s := defaultEndpoints
	for _, name := range []string{"endpoints", "endpoint", "peers"} {
		if v := c.String(name); v != "" {
			s = v
			break
		}
	}
	return strings.Split(s, ",")
}

// normalizeEndpoints parses each endpoint as etcdctl does: a parse error is
// fatal and its text is what the user sees; an endpoint without a scheme
// gets http.
func normalizeEndpoints(eps []string) ([]string, error) {
	out := make([]string, len(eps))
	for i, ep := range eps {
		u, err := url.Parse(ep)
		if err != nil {
			return nil, err
		}
		if u.Scheme == "" {
			u.Scheme = "http"
		}
		out[i] = u.String()
	}
	return out, nil
}
