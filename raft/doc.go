/*
Package raft is skiff's implementation of the Raft consensus algorithm
(Ongaro and Ousterhout, "In Search of an Understandable Consensus
Algorithm", 2014, cited as §N; and Ongaro's dissertation, "Consensus:
Bridging Theory and Practice", 2014, cited as "thesis §N").

# A pure state machine

Nothing in this package starts a goroutine, reads a clock or does I/O. A
Node changes only when its driver calls it:

	Tick()                  one unit of logical time has passed
	Step(msg)               a message arrived from a peer
	Propose(data)           a client wants data appended to the log
	Campaign()              start an election now

and it tells the driver what to do through Ready batches. This is what
makes raft testable step by step (the golden scenarios in testdata/, the
seeded simulator in rafttest) and what lets a reader set one breakpoint and
watch an election with nothing moving behind their back.

# The driver's contract

A driver owns the disk, the network and the clock. It loops:

	for {
		select {
		case <-ticker.C:
			node.Tick()
		case m := <-fromPeers:
			node.Step(m)
		case data := <-proposals:
			node.Propose(data)
		}
		for node.HasReady() {
			rd := node.Ready()
			persist(rd.HardState, rd.Entries, rd.Snapshot) // 1. fsync if rd.MustSync
			send(rd.Messages)                             // 2.
			apply(rd.CommittedEntries)                    // 3.
			node.Advance()                                // 4.
		}
	}

The order matters:

  - Persist before sending the messages that depend on it. A vote or an
    acknowledgement of entries is a promise about what is on disk (thesis
    §3.8); if it is sent first and the process crashes, the promise is
    broken — a node could vote twice in one term, or a leader could count
    an entry as replicated that no longer exists. The simulator in rafttest
    checks that a driver that breaks this rule is caught.
  - A leader may send before its own write is durable (thesis §10.2.1):
    its AppendEntries messages promise nothing about its own disk. raft
    counts the leader's own copy of an entry towards a quorum only after
    Advance reports it written, so a leader's driver may hand Messages to
    the network while the write is in flight, and call Advance once the
    write completes. (When the Ready also changes the term or vote, as on
    becoming a candidate, persist first.)
  - CommittedEntries may include entries from Entries of the same Ready;
    they are applied after step 1 has persisted them.
  - Node is not safe for concurrent use: one goroutine drives it.

# Starting and restarting

A new cluster's members each start from a fresh storage holding the initial
configuration (MemoryStorage.Bootstrap with the voters). A restarted member
starts from a Storage holding what its driver persisted: hard state and
entries (and, with the next issue, a snapshot), with Config.Applied set to
the last index its state machine has applied.

# Where the paper lives in the code

	§5.1 roles, terms                           raft.go (Role, reset, become*), step.go (term rules)
	§5.2 leader election, randomized timeouts   election.go (tick, campaign, handleVoteRequest/Response)
	§5.3 log replication, AppendEntries         replication.go (leader), follower.go (receiver), log.go (maybeAppend)
	§5.3 fast backtracking (ConflictIndex/Term) log.go (findConflictByTerm), follower.go, replication.go (handleAppendRejection)
	§5.4.1 election restriction (up-to-date)    log.go (isUpToDate), election.go
	§5.4.2 commit only current-term entries     replication.go (maybeCommit), raft.go (becomeLeader's empty entry)
	§5.5 follower and candidate crashes         ready.go, ready_loop.go (persist-before-send contract)
	§8 / §5.4.2 leader's empty entry            raft.go (becomeLeader)
	Figure 2 state                              raft.go (term, vote), log.go (committed, applied), progress.go (Next, Match)
	Figure 2 quorums                            tracker.go (committed, tallyVotes)
	thesis §3.8 what to persist                 ready.go (Ready.HardState, Entries, MustSync)
	thesis §4.1 configuration (voters, learners) tracker.go; membership changes: next issue
	thesis §4.2.3 ignore votes while a leader is heard   step.go (inLeaderLease)
	thesis §6.2 check-quorum                    election.go (tickLeader), tracker.go (quorumActive)
	thesis §9.6 Pre-Vote                        election.go (campaign), step.go (adoptHigherTerm)
	thesis §10.2.1 leader writes in parallel    ready_loop.go (Advance counts the leader itself)
	thesis §10.2.2 batching and pipelining      replication.go (flushBroadcast, sendAppend), inflights.go, progress.go
	storage, compaction hooks (ch. 5)           storage.go (Storage, MemoryStorage)
	message formatting for logs and tests       describe.go
	refusing malformed messages                 validate.go (ErrInvalidMessage)

# Messages

Message kinds are named after the RPCs of Figure 2 and the thesis:
AppendEntries (and Heartbeat, an AppendEntries with no entries that carries
only leaderCommit), RequestVote, PreVote, and their responses; Propose is a
client command forwarded from a follower to the leader. DescribeMessage
renders any of them in one line; logs, simulator traces and golden files
all use it.
*/
package raft
