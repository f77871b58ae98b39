package config

import (
	"fmt"
	"slices"
	"strings"
)

// configFileEnv names the config file when --config-file is not given.
const configFileEnv = EnvPrefix + "CONFIG_FILE"

// EnvName returns the environment variable for a flag name:
// "initial-cluster-token" gives "SKIFF_INITIAL_CLUSTER_TOKEN" (contract
// §6.2, with skiff's prefix; the ETCD_ names are not read).
func EnvName(flagName string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// envVars picks the SKIFF_ variables out of environ. A later duplicate wins,
// as it does for os.Getenv.
func envVars(environ []string) map[string]string {
	env := map[string]string{}
	for _, kv := range environ {
		key, val, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(key, EnvPrefix) {
			env[key] = val
		}
	}
	return env
}

// applyEnv sets the options named by SKIFF_ variables (contract §6.2):
//   - an empty value is ignored (so it never conflicts with a flag; etcd
//     reports even an empty variable as a conflict);
//   - a variable whose flag is also on the command line is an error, with
//     etcd's message;
//   - an unknown SKIFF_ variable is a warning, with etcd's message.
func (c *Config) applyEnv(env map[string]string, onCmdLine map[string]bool) error {
	byEnv := map[string]option{}
	for _, o := range c.options() {
		byEnv[EnvName(o.name)] = o
	}
	keys := make([]string, 0, len(env))
	for key := range env {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	for _, key := range keys {
		val := env[key]
		o, known := byEnv[key]
		switch {
		case key == configFileEnv:
			continue
		case !known:
			c.Warnings = append(c.Warnings, fmt.Sprintf("unrecognized environment variable %s=%s", key, val))
			continue
		case val == "":
			continue
		case onCmdLine[o.name]:
			return fmt.Errorf("conflicting environment variable %q is shadowed by corresponding command-line flag (either unset environment variable or disable flag)", key)
		}
		if err := o.value.Set(val); err != nil {
			return fmt.Errorf("invalid value %q for %s: %v", val, key, err)
		}
		c.set[o.name] = true
	}
	return nil
}
