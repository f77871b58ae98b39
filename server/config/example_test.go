package config_test

import (
	"errors"
	"fmt"

	"skiff/server/config"
)

// Example shows what cmd/skiff does with its command line: parse, check,
// and derive the member's identity.
func Example() {
	args := []string{
		"--name", "infra1",
		"--initial-advertise-peer-urls", "http://10.0.0.1:2380",
		"--listen-peer-urls", "http://10.0.0.1:2380",
		"--initial-cluster", "infra1=http://10.0.0.1:2380,infra2=http://10.0.0.2:2380,infra3=http://10.0.0.3:2380",
		"--initial-cluster-token", "prod-1",
	}
	environ := []string{"SKIFF_HEARTBEAT_INTERVAL=200", "SKIFF_ELECTION_TIMEOUT=2000"}

	cfg, err := config.Parse(args, environ)
	var usage *config.UsageError
	switch {
	case errors.Is(err, config.ErrHelp):
		return // print config.Usage, exit 0
	case errors.As(err, &usage):
		return // print err, exit 2
	case err != nil:
		return // print err, exit 1
	}
	if err := cfg.Validate(); err != nil {
		return // print err, exit 1
	}
	if err := cfg.ValidateBootstrap(); err != nil { // only with no WAL yet
		return
	}
	cluster, _ := cfg.InitialMembers()
	fmt.Println("data dir:", cfg.Dirs().Data, "wal:", cfg.Dirs().WAL)
	fmt.Println("timers:", cfg.HeartbeatInterval, cfg.ElectionTimeout)
	fmt.Println("member", cfg.MemberID(), "of cluster", cluster.ID, "with", len(cluster.Members), "members")
	// Output:
	// data dir: infra1.skiff wal: infra1.skiff/member/wal
	// timers: 200ms 2s
	// member 4294cd242dee662a of cluster f1ae485a1d722e8 with 3 members
}
