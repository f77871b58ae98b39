package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEtcdOnlyFlagsAreAcceptedWithAWarning: an etcd 3.4 command line with
// v3 settings still starts skiff.
func TestEtcdOnlyFlagsAreAcceptedWithAWarning(t *testing.T) {
	c := mustParse(t, []string{"SKIFF_AUTO_COMPACTION_RETENTION=1"},
		"--quota-backend-bytes", "8589934592", "--pre-vote", "--metrics=extensive", "--name", "n")
	assert.Equal(t, "n", c.Name)
	assert.Equal(t, []string{
		"--quota-backend-bytes is an etcd v3 setting that skiff ignores",
		"--pre-vote is an etcd v3 setting that skiff ignores",
		"--metrics is an etcd v3 setting that skiff ignores",
		"--auto-compaction-retention is an etcd v3 setting that skiff ignores",
	}, c.Warnings)
	require.NoError(t, c.Validate())

	_, err := Parse([]string{"--pre-vote=maybe"}, nil)
	assert.ErrorContains(t, err, `invalid boolean value "maybe" for -pre-vote`)
}

func TestEtcdOnlyKeysInTheConfigFileAreWarnings(t *testing.T) {
	c := mustParse(t, nil, "--config-file", writeFile(t, "auto-compaction-mode: periodic\nproxy: 'off'\n"))
	assert.Equal(t, []string{"--auto-compaction-mode is an etcd v3 setting that skiff ignores"}, c.Warnings)
}

func TestDebugMeansLogLevelDebug(t *testing.T) {
	assert.Equal(t, "debug", mustParse(t, nil, "--debug").LogLevel)
	assert.Equal(t, "warn", mustParse(t, nil, "--debug", "--log-level", "warn").LogLevel)
	assert.Equal(t, "info", mustParse(t, nil, "--debug=false").LogLevel)
}

func TestProxyModeIsRefused(t *testing.T) {
	mustParse(t, nil, "--proxy", "off")
	_, err := Parse([]string{"--proxy", "on"}, nil)
	assert.ErrorContains(t, err, `invalid value "on" for flag -proxy: invalid value; use one of off`)
}

func TestUnsupportedSecurityFlagsAreRefused(t *testing.T) {
	_, err := Parse([]string{"--client-crl-file", "/crl.pem"}, nil)
	assert.ErrorContains(t, err, "skiff does not support --client-crl-file; remove it")
	_, err = Parse(nil, []string{"SKIFF_CIPHER_SUITES=TLS_AES_128_GCM_SHA256"})
	assert.ErrorContains(t, err, "skiff does not support --cipher-suites")
}
