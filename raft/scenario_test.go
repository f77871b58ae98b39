package raft_test

import (
	"testing"

	"github.com/cockroachdb/datadriven"

	"skiff/raft/rafttest"
)

// TestScenarios replays every script in testdata/ against rafttest.Env and
// compares the output with the golden text. Each file opens with a comment
// telling its story. Regenerate after an intended change with
//
//	go test ./raft -run TestScenarios -rewrite
func TestScenarios(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		env := rafttest.NewEnv()
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			return env.Handle(t, d)
		})
	})
}
