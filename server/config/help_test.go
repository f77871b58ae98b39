package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestUsageListsEveryFlagWithItsDefault(t *testing.T) {
	var b strings.Builder
	Usage(&b)
	help := b.String()
	for _, o := range Default().options() {
		if o.group == groupIgnored || o.group == groupUnsupported {
			assert.Regexp(t, ` --`+o.name+`[ \n]`, help, o.name)
			continue
		}
		assert.Contains(t, help, "\n  --"+o.name+" '"+o.def+"'\n    "+o.usage+"\n", o.name)
	}
	for _, want := range []string{
		"  --name 'default'\n",
		"  --data-dir '${name}.skiff'\n",
		"  --snapshot-count '100000'\n",
		"  --initial-cluster 'default=http://localhost:2380'\n",
		"  --strict-reconfig-check 'true'\n",
		"  skiff --config-file\n",
		"SKIFF_INITIAL_CLUSTER_TOKEN",
	} {
		assert.Contains(t, help, want)
	}
	// Groups come in etcd's order.
	last := -1
	for _, g := range groupOrder {
		i := strings.Index(help, "\n"+g+":\n")
		assert.Greater(t, i, last, g)
		last = i
	}
}

// TestHelpDefaultsAreTheRealDefaults keeps --help honest: the default it
// shows is the value a Config holds when nothing is given (derived values
// aside).
func TestHelpDefaultsAreTheRealDefaults(t *testing.T) {
	c := Default()
	for _, o := range c.options() {
		if o.name == "data-dir" {
			continue // shown as ${name}.skiff
		}
		assert.Equal(t, o.def, o.value.String(), o.name)
	}
}
