package ctl

import (
	"bytes"
	"testing"
	"time"

	"skiff/client"
)

// TestOutputFormats checks each -o format byte for byte against the
// examples of contract §5.3.
func TestOutputFormats(t *testing.T) {
	exp := time.Date(2026, 11, 24, 2, 21, 8, 126510770, time.UTC)
	set := &client.Response{Action: "set", Index: 115344,
		Node:     &client.Node{Key: "/demo/ctl/a", Value: "hello3", CreatedIndex: 115344, ModifiedIndex: 115344},
		PrevNode: &client.Node{Key: "/demo/ctl/a", Value: "hello2", CreatedIndex: 115343, ModifiedIndex: 115343}}
	del := &client.Response{Action: "delete", Index: 115359,
		Node:     &client.Node{Key: "/demo/ctl/b", CreatedIndex: 115347, ModifiedIndex: 115359},
		PrevNode: &client.Node{Key: "/demo/ctl/b", Value: "bv", CreatedIndex: 115347, ModifiedIndex: 115347}}
	cad := &client.Response{Action: "compareAndDelete", Index: 9,
		Node:     &client.Node{Key: "/c", CreatedIndex: 8, ModifiedIndex: 9},
		PrevNode: &client.Node{Key: "/c", Value: "4", CreatedIndex: 8, ModifiedIndex: 8}}
	ttl := &client.Response{Action: "get", Index: 115346,
		Node: &client.Node{Key: "/demo/ctl/t", Value: "tv", CreatedIndex: 115346, ModifiedIndex: 115346, Expiration: &exp, TTL: 100}}
	dir := &client.Response{Action: "create", Index: 115350,
		Node: &client.Node{Key: "/demo/ctl/d3", Dir: true, CreatedIndex: 115350, ModifiedIndex: 115350}}
	cases := []struct {
		name, format string
		resp         *client.Response
		stdout       string
		stderr       string
	}{
		{"simple set", "simple", set, "hello3\n", ""},
		{"simple delete", "simple", del, "PrevNode.Value: bv\n", ""},
		{"simple compareAndDelete is a blank line", "simple", cad, "\n", ""},
		{"extended set", "extended", set, "Key: /demo/ctl/a\nCreated-Index: 115344\nModified-Index: 115344\nPrevNode.Value: hello2\nTTL: 0\nIndex: 115344\n\nhello3\n", ""},
		{"extended delete has no value", "extended", del, "Key: /demo/ctl/b\nCreated-Index: 115347\nModified-Index: 115359\nPrevNode.Value: bv\nTTL: 0\nIndex: 115359\n", ""},
		{"extended ttl", "extended", ttl, "Key: /demo/ctl/t\nCreated-Index: 115346\nModified-Index: 115346\nTTL: 100\nIndex: 115346\n\ntv\n", ""},
		{"json set", "json", set, `{"action":"set","node":{"key":"/demo/ctl/a","value":"hello3","nodes":null,"createdIndex":115344,"modifiedIndex":115344},"prevNode":{"key":"/demo/ctl/a","value":"hello2","nodes":null,"createdIndex":115343,"modifiedIndex":115343}}` + "\n", ""},
		{"json ttl", "json", ttl, `{"action":"get","node":{"key":"/demo/ctl/t","value":"tv","nodes":null,"createdIndex":115346,"modifiedIndex":115346,"expiration":"2026-11-24T02:21:08.12651077Z","ttl":100},"prevNode":null}` + "\n", ""},
		{"json dir", "json", dir, `{"action":"create","node":{"key":"/demo/ctl/d3","dir":true,"value":"","nodes":null,"createdIndex":115350,"modifiedIndex":115350},"prevNode":null}` + "\n", ""},
		{"unknown format", "xml", set, "", "Unsupported output format: xml\n"},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		r := &runner{Streams: Streams{Stdout: &out, Stderr: &errOut}}
		r.printResponse(c.resp, c.format)
		if out.String() != c.stdout || errOut.String() != c.stderr {
			t.Errorf("%s:\n got %q %q\nwant %q %q", c.name, out.String(), errOut.String(), c.stdout, c.stderr)
		}
	}
}
