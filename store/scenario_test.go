package store

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
)

// TestScenarios runs the scripted stories in testdata/scenarios: each line
// is a request as the API would send it (see parseRequest), a sweep, or a
// watch, and the expected output is the JSON the API would answer with.
// Rewrite the expected output after a deliberate change with
// `go test ./store -run TestScenarios -rewrite`.
//
// Commands:
//
//	PUT|POST|DELETE|GET <key> [param=value ...]   the status and body
//	sweep at=<seconds past t0>                    DeleteExpiredKeys' events
//	watch <name> <key> [recursive] [stream] [since=N]   start a watch
//	events <name>                                 what the watch has received
func TestScenarios(t *testing.T) {
	datadriven.Walk(t, "testdata/scenarios", func(t *testing.T, path string) {
		s := New()
		watchers := map[string]*Watcher{}
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			return runScenarioLine(t, s, watchers, d)
		})
	})
}

func runScenarioLine(t *testing.T, s *Store, watchers map[string]*Watcher, d *datadriven.TestData) string {
	line := strings.TrimSpace(d.Cmd + " " + argsString(d))
	switch d.Cmd {
	case "PUT", "POST", "DELETE", "GET":
		status, body := do(t, s, line)
		return fmt.Sprintf("%d %s\n", status, body)
	case "sweep":
		var secs uint64
		d.ScanArgs(t, "at", &secs)
		var out strings.Builder
		for _, e := range s.DeleteExpiredKeys(t0.Add(time.Duration(secs) * time.Second)) {
			fmt.Fprintf(&out, "%s\n", mustJSON(t, e))
		}
		fmt.Fprintf(&out, "index %d\n", s.Index())
		return out.String()
	case "watch":
		return startScenarioWatch(t, s, watchers, d)
	case "events":
		w := watchers[d.CmdArgs[0].Key]
		got, isClosed := drain(w)
		var out strings.Builder
		for _, e := range got {
			fmt.Fprintf(&out, "%s\n", mustJSON(t, e))
		}
		if isClosed {
			out.WriteString("closed\n")
		} else if len(got) == 0 {
			out.WriteString("waiting\n")
		}
		return out.String()
	}
	t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
	return ""
}

func startScenarioWatch(t *testing.T, s *Store, watchers map[string]*Watcher, d *datadriven.TestData) string {
	name, key := d.CmdArgs[0].Key, d.CmdArgs[1].Key
	var recursive, stream bool
	var since uint64
	for _, a := range d.CmdArgs[2:] {
		switch a.Key {
		case "recursive":
			recursive = true
		case "stream":
			stream = true
		case "since":
			since = mustUint(t, a.Vals[0])
		}
	}
	w, err := s.Watch(Keys, key, recursive, stream, since)
	if err != nil {
		return fmt.Sprintf("%d %s\n", err.(*Error).StatusCode(), mustJSON(t, err))
	}
	watchers[name] = w
	return fmt.Sprintf("X-Etcd-Index: %d\n", w.StartIndex())
}

// argsString gives a command's arguments back as "k=v" words.
func argsString(d *datadriven.TestData) string {
	var words []string
	for _, a := range d.CmdArgs {
		w := a.Key
		if len(a.Vals) > 0 {
			w += "=" + strings.Join(a.Vals, ",")
		} else if strings.HasSuffix(a.Key, "=") {
			w = a.Key
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}
