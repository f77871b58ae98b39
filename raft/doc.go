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
	ReadIndex(ctx)          a client wants a linearizable read (thesis §6.4)
	ProposeConfChange(cc)   an operator wants a member added or removed (§4.1)
	ApplyConfChange(cc)     the driver applied a committed ConfChange entry
	TransferLeadership(id)  hand leadership to id, e.g. before maintenance (§3.10)
	ReportSnapshot(id, bad) the transport finished sending a snapshot to id
	ReportUnreachable(id)   the transport could not reach id

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
			if !rd.Snapshot.IsEmpty() {                   // 1a. a snapshot from the leader:
				saveSnapshotFile(rd.Snapshot)              //     to disk, then into storage
				storage.ApplySnapshot(rd.Snapshot)         //     (MemoryStorage) and the
				stateMachine.Restore(rd.Snapshot.Data)     //     state machine
			}
			persist(rd.HardState, rd.Entries)             // 1b. fsync if rd.MustSync
			send(rd.Messages)                             // 2.
			for _, e := range rd.CommittedEntries {       // 3. in order
				if e.Type == raftpb.EntryConfChange {
					cs := node.ApplyConfChange(decode(e))  //    raft switches quorums now;
					updateMembersAndTransport(cs)          //    keep cs for snapshots
				} else {
					stateMachine.Apply(e)
				}
			}
			serveReads(rd.ReadStates)                     // 3b. once applied >= Index
			node.Advance()                                // 4.
			maybeSnapshot()                               // 5. CreateSnapshot, Compact
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
  - Snapshots (thesis ch. 5): the driver snapshots its state machine at
    an applied index with MemoryStorage.CreateSnapshot(index, &confState,
    data) — confState is what ApplyConfChange last returned — and then
    Compact(index - k), keeping k entries so that a follower a little
    behind catches up from the log. The leader sends the snapshot by
    itself when a follower needs compacted entries (InstallSnapshot); the
    transport must then call ReportSnapshot(id, failed) when the send
    ends, or the leader never sends that follower anything again. A
    follower hands a received snapshot out in Ready.Snapshot: persist it
    before the hard state and entries of the same Ready, and restore the
    state machine from it before applying CommittedEntries.
  - Membership (thesis §4.1): ProposeConfChange one change at a time
    (ErrConfChangePending otherwise); a change takes effect on each node
    when its driver applies the committed entry and calls ApplyConfChange
    (membership.go has the rules that make that safe). A node sees that it
    was removed in Status().IsMember() once it applies its removal; one
    that never hears of it (its peers stopped sending to it) must be told
    by the transport, as etcd's peers reject a removed member's messages.
    Status().SafeConfChange(cc), on the leader, refuses a change that would
    leave fewer active voters than a quorum (etcd's --strict-reconfig-check).
    Removing one of two voters can stall the survivor: if the removed member
    stops before the survivor learns that the change committed, the survivor
    still counts it as a voter and waits for its vote (keep three voters).
  - Reads (thesis §6.4): ReadIndex(ctx) answers in Ready.ReadStates with
    (ctx, index); serve the read once the state machine has applied index.
    A read whose answer never comes (leadership changed) is retried by the
    driver after a timeout.

# Starting and restarting

A new cluster's members each start from a fresh storage holding the initial
configuration (MemoryStorage.Bootstrap with the voters). A restarted member
starts from a Storage holding what its driver persisted: its latest
snapshot (MemoryStorage.ApplySnapshot), then the hard state and the entries
after it, with Config.Applied set to the last index its state machine has
applied (at least the snapshot's). raft rebuilds the configuration from the
snapshot's and the ConfChange entries up to Applied; the later ones come
out again in CommittedEntries.

A member joining a running cluster starts with a storage bootstrapped with
the cluster's current members (not itself), after the change adding it has
been applied (the server learns the members when it joins). It receives
the log or a snapshot from the leader, replays the configuration changes
in it, and never campaigns before the change that makes it a voter.

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
	thesis §3.10 leadership transfer            transfer.go (TimeoutNow), election.go (campaign with Transfer)
	thesis §4.1 configuration (voters, learners) tracker.go (setConfig), membership_config.go
	thesis §4.1 one change at a time, 2015 fix  membership.go (checkConfChange, pendingConfIndex), raft.go (becomeLeader)
	thesis §4.2.1 learners catch up first       tracker.go (IsLearner), membership.go (AddLearner, promotion)
	thesis §4.2.2 removing the leader           membership.go (stepDownRemoved)
	thesis §4.2.3 ignore votes while a leader is heard   step.go (inLeaderLease)
	thesis ch. 5 snapshots, InstallSnapshot     snapshot.go, log.go (restore), log_unstable.go, storage.go (CreateSnapshot, Compact, ApplySnapshot)
	thesis §6.2 check-quorum                    election.go (tickLeader), tracker.go (quorumActive)
	thesis §6.4 ReadIndex                       readindex.go (one heartbeat round in flight per batch, committedInTerm)
	thesis §6.4.1 lease reads (option)          readindex.go (flushReads), config.go (ReadOnlyLeaseBased)
	uncommitted-log bound                       replication.go (proposeAsLeader), config.go (MaxUncommittedEntriesSize)
	thesis §9.6 Pre-Vote                        election.go (campaign), step.go (adoptHigherTerm)
	thesis §10.2.1 leader writes in parallel    ready_loop.go (Advance counts the leader itself)
	thesis §10.2.2 batching and pipelining      replication.go (flushBroadcast, sendAppend), inflights.go, progress.go
	storage, compaction hooks (ch. 5)           storage.go (Storage, MemoryStorage)
	message formatting for logs and tests       describe.go
	refusing malformed messages                 validate.go (ErrInvalidMessage)

# Messages

Message kinds are named after the RPCs of Figure 2 and the thesis:
AppendEntries (and Heartbeat, an AppendEntries with no entries that carries
only leaderCommit, and a ReadIndex round number when one is under way),
RequestVote, PreVote, InstallSnapshot (answered by an
AppendEntriesResponse), TimeoutNow, and their responses; Propose is a
client command forwarded from a follower to the leader, ReadIndex and
ReadIndexResponse a forwarded read and its answer, and
TransferLeadership a follower asking the leader for the leadership. DescribeMessage
renders any of them in one line; logs, simulator traces and golden files
all use it.
*/
package raft
