package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
)

// ErrInvalid is wrapped by every error Validate and ValidateBootstrap
// return, so callers can tell a bad configuration from other failures.
var ErrInvalid = errors.New("invalid configuration")

// invalid builds an error that names the setting and the way out, and wraps
// ErrInvalid.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Validate checks the settings that must hold on every start, whether or
// not the data dir already holds a WAL. It reports every problem it finds
// (joined with errors.Join), each naming the setting and how to fix it.
// Checks that only matter while bootstrapping are in ValidateBootstrap.
func (c *Config) Validate() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(c.validateName())
	add(c.validateTiming())
	add(c.validateListenURLs())
	add(c.validateAdvertiseURLs())
	add(c.validateBootstrapFlags())
	add(c.validateDiscovery())
	add(c.validateTLS())
	add(c.validateLogging())
	return errors.Join(errs...)
}

func (c *Config) validateName() error {
	if c.Name == "" {
		return invalid("--name is empty; give this member a name, such as --name infra1")
	}
	if strings.ContainsAny(c.Name, ",=") {
		return invalid("--name %q contains ',' or '=', which --initial-cluster uses as separators; choose a name without them", c.Name)
	}
	return nil
}

// validateTiming applies etcd's rules for the raft timers and snapshots.
func (c *Config) validateTiming() error {
	hb, et := c.HeartbeatInterval.Milliseconds(), c.ElectionTimeout.Milliseconds()
	switch {
	case hb <= 0:
		return invalid("--heartbeat-interval must be >0 (set to %dms); the default is %d", hb, DefaultHeartbeatInterval.Milliseconds())
	case et < MinElectionHeartbeatRatio*hb:
		return invalid("--election-timeout[%dms] should be at least as %d times as --heartbeat-interval[%dms]; raise --election-timeout to %d or more, or lower --heartbeat-interval",
			et, MinElectionHeartbeatRatio, hb, MinElectionHeartbeatRatio*hb)
	case c.ElectionTimeout > MaxElectionTimeout:
		return invalid("--election-timeout[%dms] is too long, and should be set less than %dms", et, MaxElectionTimeout.Milliseconds())
	case c.SnapshotCount == 0:
		return invalid("--snapshot-count must be at least 1 (it is the number of applied entries between snapshots); the default is %d", DefaultSnapshotCount)
	}
	return nil
}

// validateListenURLs: something to listen on, and an IP (or localhost) in
// each URL, since a member binds to these addresses.
func (c *Config) validateListenURLs() error {
	for _, l := range []struct {
		flag, example string
		urls          []url.URL
	}{
		{"--listen-peer-urls", DefaultPeerURL, c.ListenPeerURLs},
		{"--listen-client-urls", DefaultClientURL, c.ListenClientURLs},
	} {
		if len(l.urls) == 0 {
			return invalid("%s is empty; give at least one URL to listen on, such as %s", l.flag, l.example)
		}
		for _, u := range l.urls {
			if host := u.Hostname(); host != "localhost" && net.ParseIP(host) == nil {
				return invalid("expected IP in URL for binding (%s) in %s; listen on an IP address (0.0.0.0 for all) and put host names in the advertise URLs", u.String(), l.flag)
			}
		}
	}
	return nil
}

// validateAdvertiseURLs: etcd's rule that a member listening on chosen
// client addresses must say which of them clients can reach. etcd applies
// it to flags and variables only; for a config file loadFile warns instead,
// so a file that etcd accepts is accepted.
func (c *Config) validateAdvertiseURLs() error {
	if c.ConfigFile == "" && c.set["listen-client-urls"] && !c.set["advertise-client-urls"] {
		return invalid("--advertise-client-urls is required when --listen-client-urls is set explicitly; set it to the client URLs other machines can reach this member at")
	}
	return nil
}

// validateBootstrapFlags: one way to find the initial cluster, and a known
// --initial-cluster-state.
func (c *Config) validateBootstrapFlags() error {
	n := 0
	for _, given := range []bool{c.InitialCluster != "", c.Discovery != "", c.DiscoverySRV != ""} {
		if given {
			n++
		}
	}
	if n > 1 {
		return invalid("multiple discovery or bootstrap flags are set. Choose one of \"initial-cluster\", \"discovery\" or \"discovery-srv\"")
	}
	if c.InitialClusterState != ClusterStateNew && c.InitialClusterState != ClusterStateExisting {
		return invalid("--initial-cluster-state is %q; use %q to start a new cluster or %q to join a running one", c.InitialClusterState, ClusterStateNew, ClusterStateExisting)
	}
	if c.InitialCluster != "" {
		if _, err := c.InitialClusterMap(); err != nil {
			return err
		}
	}
	return nil
}

// validateDiscovery checks the discovery settings (contract §7).
func (c *Config) validateDiscovery() error {
	if c.Discovery != "" && c.InitialClusterState == ClusterStateExisting {
		return invalid("discovery URL should not be set when joining existing initial cluster; drop --discovery and list the cluster in --initial-cluster, or use --initial-cluster-state new")
	}
	for _, d := range []struct{ flag, value string }{{"--discovery", c.Discovery}, {"--discovery-proxy", c.DiscoveryProxy}} {
		if d.value == "" {
			continue
		}
		u, err := url.Parse(d.value)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return invalid("%s %q is not an http:// or https:// URL; write it as http://host[:port][/path]", d.flag, d.value)
		}
	}
	if strings.Contains(c.DiscoverySRV, "/") || strings.Contains(c.DiscoverySRV, ":") {
		return invalid("--discovery-srv %q should be a DNS domain such as example.com, not a URL", c.DiscoverySRV)
	}
	if c.DiscoverySRVName != "" && c.DiscoverySRV == "" {
		return invalid("--discovery-srv-name is set but --discovery-srv is not; give the DNS domain with --discovery-srv, or drop --discovery-srv-name")
	}
	if c.DiscoveryFallback != FallbackExit && c.DiscoveryFallback != FallbackProxy {
		return invalid("--discovery-fallback is %q; use %q or %q", c.DiscoveryFallback, FallbackExit, FallbackProxy)
	}
	return nil
}

// validateLogging checks the logging words; the flag parser already refuses
// unknown ones, a Config built in code may still hold them.
func (c *Config) validateLogging() error {
	if !slices.Contains([]string{"debug", "info", "warn", "error", "panic", "fatal"}, c.LogLevel) {
		return invalid("--log-level %q is not known; use debug, info, warn or error", c.LogLevel)
	}
	if c.Logger != "capnslog" && c.Logger != "zap" {
		return invalid("--logger %q is not known; use zap or capnslog (skiff logs with log/slog either way)", c.Logger)
	}
	if len(c.LogOutputs) == 0 {
		return invalid("--log-outputs is empty; use default, stderr, stdout or a file path")
	}
	return nil
}
