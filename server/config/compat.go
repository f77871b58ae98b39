package config

import (
	"errors"
	"fmt"
	"strconv"
)

// etcdOnlyFlags are etcd 3.4 flags with no meaning in skiff: the v3
// backend, gRPC, v3 auth, metrics, the v2 proxy's timers and experiments.
// skiff accepts them, as flags, SKIFF_ variables and file keys, so an etcd
// command line or config file keeps working, and warns that it ignores
// them. The bool ones may be given without a value, as in etcd.
var etcdOnlyFlags = []struct {
	name   string
	isBool bool
}{
	{"initial-election-tick-advance", true}, {"pre-vote", true},
	{"quota-backend-bytes", false}, {"backend-batch-interval", false}, {"backend-batch-limit", false},
	{"max-txn-ops", false}, {"max-request-bytes", false}, {"max-concurrent-streams", false},
	{"grpc-keepalive-min-time", false}, {"grpc-keepalive-interval", false}, {"grpc-keepalive-timeout", false},
	{"auto-compaction-retention", false}, {"auto-compaction-mode", false},
	{"auth-token", false}, {"bcrypt-cost", false}, {"auth-token-ttl", false},
	{"metrics", false}, {"listen-metrics-urls", false}, {"log-package-levels", false},
	{"proxy-failure-wait", false}, {"proxy-refresh-interval", false}, {"proxy-dial-timeout", false},
	{"proxy-write-timeout", false}, {"proxy-read-timeout", false},
	{"experimental-initial-corrupt-check", true}, {"experimental-corrupt-check-time", false},
	{"experimental-enable-v2v3", false}, {"experimental-backend-bbolt-freelist-type", false},
	{"experimental-enable-lease-checkpoint", true}, {"experimental-compaction-batch-limit", false},
	{"experimental-peer-skip-client-san-verification", true}, {"experimental-watch-progress-notify-interval", false},
	{"experimental-warning-apply-duration", false},
}

// unsupportedSecurityFlags are etcd 3.4 security flags skiff does not
// implement. Ignoring them would quietly weaken a member's security, so
// giving one is an error.
var unsupportedSecurityFlags = []string{
	"client-crl-file", "client-cert-allowed-hostname", "peer-crl-file",
	"peer-cert-allowed-cn", "peer-cert-allowed-hostname", "cipher-suites", "host-whitelist",
}

// compatOptions returns the options above, plus --debug (etcd's older
// spelling of --log-level debug) and --proxy (only "off": skiff has no v2
// proxy mode).
func (c *Config) compatOptions() []option {
	opts := []option{
		{name: "debug", group: groupCompat, def: "false", usage: "Same as --log-level debug (etcd's older flag).", value: boolValue{&c.debug}},
		{name: "proxy", group: groupCompat, def: "off", usage: "Only 'off': skiff has no v2 proxy mode.", value: choiceValue{&c.proxy, []string{"off"}}},
	}
	for _, f := range etcdOnlyFlags {
		opts = append(opts, option{name: f.name, group: groupIgnored, value: ignoredValue{name: f.name, isBool: f.isBool, c: c}})
	}
	for _, name := range unsupportedSecurityFlags {
		opts = append(opts, option{name: name, group: groupUnsupported, value: unsupportedValue{name}})
	}
	return opts
}

// ignoredValue accepts any value and leaves a warning.
type ignoredValue struct {
	name   string
	isBool bool
	c      *Config
}

func (v ignoredValue) Set(s string) error {
	if v.isBool {
		if _, err := strconv.ParseBool(s); err != nil {
			return errors.New("parse error; use true or false")
		}
	}
	v.c.Warnings = append(v.c.Warnings, fmt.Sprintf("--%s is an etcd v3 setting that skiff ignores", v.name))
	return nil
}
func (v ignoredValue) String() string   { return "" }
func (v ignoredValue) IsBoolFlag() bool { return v.isBool }

// unsupportedValue refuses every value.
type unsupportedValue struct{ name string }

func (v unsupportedValue) Set(string) error {
	return fmt.Errorf("skiff does not support --%s; remove it (skiff refuses rather than ignores a security setting it cannot honour)", v.name)
}
func (v unsupportedValue) String() string { return "" }
