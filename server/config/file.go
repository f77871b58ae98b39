package config

import (
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// loadFile reads a YAML config file written for etcd (contract §6.3) into a
// Config that starts from the defaults. Keys are the flag names without the
// dashes; URL lists are comma-separated strings; the TLS settings are in the
// client-transport-security and peer-transport-security blocks. A key skiff
// does not know (an etcd v3 setting such as quota-backend-bytes) is ignored,
// as etcd ignores unknown keys, but skiff also reports it as a warning.
func loadFile(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the config file: %w; check the path given to --config-file", err)
	}
	c := defaults()
	if err := c.applyYAML(path, data); err != nil {
		return nil, err
	}
	if c.set["listen-client-urls"] && !c.set["advertise-client-urls"] {
		c.Warnings = append(c.Warnings, fmt.Sprintf("config file %s sets listen-client-urls but not advertise-client-urls, so this member advertises %s to clients (as etcd does); set advertise-client-urls to the URLs clients can reach", path, DefaultClientURL))
	}
	return c, nil
}

// applyYAML sets the options found in the YAML document data.
func (c *Config) applyYAML(path string, data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("config file %s is not valid YAML: %v", path, err)
	}
	if len(doc.Content) == 0 {
		return nil // an empty file: every default stands
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("config file %s line %d: expected key: value pairs such as \"name: infra1\"", path, root.Line)
	}
	byKey := map[string]option{}
	for _, o := range c.options() {
		byKey[o.key()] = o
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i].Value, root.Content[i+1]
		if key != clientTLSBlock && key != peerTLSBlock {
			if err := c.applyYAMLValue(path, key, val, byKey); err != nil {
				return err
			}
			continue
		}
		if val.Kind != yaml.MappingNode {
			return fmt.Errorf("config file %s line %d: %s must be a block of keys (cert-file, key-file, client-cert-auth, trusted-ca-file, auto-tls)", path, val.Line, key)
		}
		for j := 0; j+1 < len(val.Content); j += 2 {
			if err := c.applyYAMLValue(path, key+"."+val.Content[j].Value, val.Content[j+1], byKey); err != nil {
				return err
			}
		}
	}
	return nil
}

// applyYAMLValue sets the option whose file key is key. A null value (a key
// with nothing after the colon) keeps the default, as it does in etcd.
func (c *Config) applyYAMLValue(path, key string, node *yaml.Node, byKey map[string]option) error {
	o, known := byKey[key]
	if !known {
		c.Warnings = append(c.Warnings, fmt.Sprintf("config file %s line %d: unknown key %q is ignored (etcd ignores it too)", path, node.Line, key))
		return nil
	}
	if node.Kind == yaml.SequenceNode && !takesList(o) {
		return fmt.Errorf("config file %s line %d: %s takes a single value, not a list", path, node.Line, key)
	}
	text, err := yamlText(node)
	if err != nil {
		return fmt.Errorf("config file %s line %d: %s: %v", path, node.Line, key, err)
	}
	if node.Tag == "!!null" {
		return nil
	}
	if err := o.value.Set(text); err != nil {
		return fmt.Errorf("config file %s line %d: invalid value %q for %s: %v", path, node.Line, text, key, err)
	}
	c.set[o.name] = true
	return nil
}

// yamlText turns a scalar, or a list of scalars (log-outputs is a list in
// etcd's file; skiff also takes a list for any comma-separated setting),
// into the text a flag would carry.
func yamlText(node *yaml.Node) (string, error) {
	switch node.Kind {
	case yaml.ScalarNode:
		return node.Value, nil
	case yaml.SequenceNode:
		items := make([]string, 0, len(node.Content))
		for _, item := range node.Content {
			if item.Kind != yaml.ScalarNode {
				return "", fmt.Errorf("expected a list of plain values")
			}
			items = append(items, item.Value)
		}
		return strings.Join(items, ","), nil
	case yaml.AliasNode:
		return yamlText(node.Alias)
	}
	return "", fmt.Errorf("expected a value, not a block of keys")
}

// takesList reports whether an option is a comma-separated list, which the
// config file may also give as a YAML list.
func takesList(o option) bool {
	switch o.value.(type) {
	case urlsValue, listValue:
		return true
	}
	return false
}
