package ctl

import (
	"slices"
	"strings"
	"testing"
)

// TestFlagsMayFollowArguments: like etcdctl (urfave/cli v1.22), a
// command's flags are moved in front of its arguments before parsing;
// what is not one of its flags stays an argument, and a "--" goes right
// after the flags.
func TestFlagsMayFollowArguments(t *testing.T) {
	r := &runner{}
	app := r.app()
	for in, want := range map[string]string{
		"skiffctl get /k --sort":                          "skiffctl get --sort /k",
		"skiffctl --debug -o json get /k -q":              "skiffctl --debug -o json get -q /k",
		"skiffctl set /k -5":                              "skiffctl set /k -5",
		"skiffctl set -- /k -5":                           "skiffctl set -- /k -5",
		"skiffctl set /k v --ttl 5":                       "skiffctl set --ttl 5 /k v",
		"skiffctl role grant r1 --path /x --read":         "skiffctl role grant --path /x --read r1",
		"skiffctl exec-watch -r /k -- echo hi":            "skiffctl exec-watch -r /k -- echo hi",
		"skiffctl exec-watch /k -- echo hi":               "skiffctl exec-watch -- /k echo hi",
		"skiffctl --endpoints http://e rm /d --recursive": "skiffctl --endpoints http://e rm --recursive /d",
		"skiffctl bogus --x":                              "skiffctl bogus --x",
	} {
		got := strings.Join(reorderArgs(app, strings.Fields(in)), " ")
		if got != want {
			t.Errorf("%s:\n got %s\nwant %s", in, got, want)
		}
	}
}

// TestExecWatchTakesTheLastArgumentAsKeyWithoutSeparator: etcdctl's rule.
func TestExecWatchTakesTheLastArgumentAsKeyWithoutSeparator(t *testing.T) {
	key, cmd := execWatchArgs([]string{"/k", "--", "sh", "-c", "x"})
	if key != "/k" || !slices.Equal(cmd, []string{"sh", "-c", "x"}) {
		t.Errorf("with --: %q %q", key, cmd)
	}
	key, cmd = execWatchArgs([]string{"./run.sh", "arg", "/k"})
	if key != "/k" || !slices.Equal(cmd, []string{"./run.sh", "arg"}) {
		t.Errorf("without --: %q %q", key, cmd)
	}
}

// TestCanonicalPathMatchesEtcd: role grant --path must already be clean.
func TestCanonicalPathMatchesEtcd(t *testing.T) {
	for in, want := range map[string]string{
		"": "/", "/data/*": "/data/*", "data//x": "/data/x", "/a/../b/": "/b/", "/a/./b": "/a/b", "/": "/",
	} {
		if got := canonicalPath(in); got != want {
			t.Errorf("canonicalPath(%q) = %q, want %q", in, got, want)
		}
	}
}
