package raft_test

import (
	"fmt"

	"skiff/raft"
	"skiff/raft/raftpb"
)

// Example shows the loop a driver runs around a Node: tick it on a timer,
// step in messages from peers, propose commands, and handle each Ready in
// order — persist, send, apply, Advance. Here a single-node cluster elects
// itself and commits one command; a real driver would write to a WAL, send
// over the network and tick every 100ms.
func Example() {
	storage := raft.NewMemoryStorage()
	if err := storage.Bootstrap(raftpb.ConfState{Voters: []uint64{1}}); err != nil {
		panic(err)
	}
	node, err := raft.New(raft.Config{ID: 1, Storage: storage})
	if err != nil {
		panic(err)
	}

	// handleReady is the whole driver contract.
	handleReady := func() {
		for node.HasReady() {
			rd := node.Ready()
			// 1. Persist hard state and entries (fsync if rd.MustSync).
			if !rd.HardState.IsEmpty() {
				storage.SetHardState(rd.HardState)
			}
			storage.Append(rd.Entries)
			// 2. Send messages to peers (none in a one-node cluster).
			for _, m := range rd.Messages {
				fmt.Println("send", raft.DescribeMessage(m))
			}
			// 3. Apply committed entries to the state machine.
			for _, e := range rd.CommittedEntries {
				if len(e.Data) > 0 {
					fmt.Printf("apply %s\n", e.Data)
				}
			}
			if rd.SoftState != nil {
				fmt.Println("role:", rd.SoftState.Role)
			}
			// 4. Tell raft this Ready is done.
			node.Advance()
		}
	}

	// Time passes in ticks; after an election timeout the node campaigns.
	for node.Status().Role != raft.RoleLeader {
		node.Tick()
		handleReady()
	}
	if err := node.Propose([]byte("x=1")); err != nil {
		panic(err)
	}
	handleReady()
	st := node.Status()
	fmt.Printf("term %d, commit %d, applied %d\n", st.Term, st.Commit, st.Applied)
	// Output:
	// role: Leader
	// apply x=1
	// term 1, commit 2, applied 2
}

// Example_readsMembershipSnapshots extends the driver of Example with the
// rest of the API: a configuration change applied when its entry commits,
// a linearizable read answered in ReadStates, and a snapshot with
// compaction once entries are applied.
func Example_readsMembershipSnapshots() {
	storage := raft.NewMemoryStorage()
	storage.Bootstrap(raftpb.ConfState{Voters: []uint64{1}})
	node, _ := raft.New(raft.Config{ID: 1, Storage: storage})
	var confState raftpb.ConfState
	var applied uint64
	handleReady := func() {
		for node.HasReady() {
			rd := node.Ready()
			if !rd.Snapshot.IsEmpty() {
				storage.ApplySnapshot(rd.Snapshot) // and restore the state machine from it
			}
			if !rd.HardState.IsEmpty() {
				storage.SetHardState(rd.HardState)
			}
			storage.Append(rd.Entries)
			for _, e := range rd.CommittedEntries {
				if e.Type == raftpb.EntryConfChange {
					var cc raftpb.ConfChange
					cc.Unmarshal(e.Data)
					confState = node.ApplyConfChange(cc) // then update members and transport
					fmt.Println("config:", raft.DescribeConfState(confState))
				}
				applied = e.Index
			}
			for _, rs := range rd.ReadStates {
				fmt.Printf("read %s may be served once applied >= %d\n", rs.RequestCtx, rs.Index)
			}
			node.Advance()
		}
	}
	node.Campaign()
	handleReady()

	if err := node.ProposeConfChange(raftpb.ConfChange{Type: raftpb.ConfChangeAddLearner, NodeID: 2}); err != nil {
		panic(err)
	}
	handleReady()
	node.ReadIndex([]byte("get /foo"))
	handleReady()

	if _, err := storage.CreateSnapshot(applied, &confState, []byte("state machine")); err != nil {
		panic(err)
	}
	storage.Compact(applied)
	first, _ := storage.FirstIndex()
	fmt.Println("log starts at", first)
	// Output:
	// config: voters=[1] learners=[2]
	// read get /foo may be served once applied >= 2
	// log starts at 3
}
