// Package cluster is skiff's one multi-member test harness: N in-process
// members (server.New) on loopback ports chosen by the kernel (port 0), each
// with a data dir under the test's temp dir, that a test can stop gracefully,
// kill (as kill -9 would, nothing more is written), restart on the same data
// dir and ports, pause, partition and skew.
//
// Every test in tests/ builds on it:
//
//	c := cluster.New(t, cluster.Config{Size: 3})
//	lead := c.WaitLeader()
//	cl := c.Client(1)                // a skiff/client pinned to member 1
//	c.Kill(lead); c.Restart(lead)
//	c.Isolate(lead); c.Heal()
//	c.Pause(lead, 2*time.Second)     // its raft loop stops; returns at once
//	c.WaitConverged()                // same applied index and store hash
//
// Files:
//
//	cluster.go  Cluster, Config, New, Close
//	member.go   one member: config, listeners, start, stop, kill, restart
//	faults.go   partitions (symmetric and one-way), isolation, clock skew
//	pause.go    a member's raft loop stopped for a while (server.PauseLoop)
//	wait.go     waiting for a leader, for an index, for identical stores
package cluster
