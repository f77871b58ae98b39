package raftpb

import "fmt"

// MessageType names a message of the protocol. The names follow Figure 2 of
// the paper and the thesis; local messages are never sent over the network.
type MessageType uint8

const (
	// MsgAppendEntries is the AppendEntries RPC (Figure 2), sent by the
	// leader to replicate entries.
	MsgAppendEntries MessageType = iota + 1
	// MsgAppendEntriesResponse answers MsgAppendEntries and MsgInstallSnapshot.
	MsgAppendEntriesResponse
	// MsgRequestVote is the RequestVote RPC (Figure 2).
	MsgRequestVote
	// MsgRequestVoteResponse answers MsgRequestVote.
	MsgRequestVoteResponse
	// MsgPreVote asks whether a vote would be granted, without
	// disturbing anyone's term (thesis §9.6).
	MsgPreVote
	// MsgPreVoteResponse answers MsgPreVote.
	MsgPreVoteResponse
	// MsgHeartbeat is an AppendEntries with no entries; it also confirms
	// leadership for ReadIndex (thesis §6.4) and carries its context.
	MsgHeartbeat
	// MsgHeartbeatResponse answers MsgHeartbeat.
	MsgHeartbeatResponse
	// MsgInstallSnapshot is the InstallSnapshot RPC (thesis ch. 5).
	MsgInstallSnapshot
	// MsgTimeoutNow tells the target of a leadership transfer to start an
	// election at once (thesis §3.10).
	MsgTimeoutNow
	// MsgPropose carries proposals forwarded from a follower to the leader.
	MsgPropose
	// MsgReadIndex carries read requests forwarded to the leader (§6.4),
	// one per entry, the entry's Data being the request's context.
	MsgReadIndex
	// MsgReadIndexResponse returns ReadIndex for the forwarded reads whose
	// contexts its entries carry.
	MsgReadIndexResponse
	// MsgTransferLeadership asks the leader to transfer leadership to From.
	MsgTransferLeadership
)

var messageTypeNames = map[MessageType]string{
	MsgAppendEntries:         "AppendEntries",
	MsgAppendEntriesResponse: "AppendEntriesResponse",
	MsgRequestVote:           "RequestVote",
	MsgRequestVoteResponse:   "RequestVoteResponse",
	MsgPreVote:               "PreVote",
	MsgPreVoteResponse:       "PreVoteResponse",
	MsgHeartbeat:             "Heartbeat",
	MsgHeartbeatResponse:     "HeartbeatResponse",
	MsgInstallSnapshot:       "InstallSnapshot",
	MsgTimeoutNow:            "TimeoutNow",
	MsgPropose:               "Propose",
	MsgReadIndex:             "ReadIndex",
	MsgReadIndexResponse:     "ReadIndexResponse",
	MsgTransferLeadership:    "TransferLeadership",
}

func (t MessageType) String() string {
	if s, ok := messageTypeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("MessageType(%d)", uint8(t))
}

// Message is one message between two servers. Which fields are meaningful
// depends on Type; the field names are those of Figure 2.
type Message struct {
	Type MessageType
	To   uint64
	From uint64
	Term uint64 // the sender's currentTerm (for PreVote: the term it would campaign in)

	// RequestVote and PreVote.
	LastLogIndex uint64
	LastLogTerm  uint64

	// AppendEntries (and Heartbeat: LeaderCommit only).
	PrevLogIndex uint64
	PrevLogTerm  uint64
	Entries      []Entry
	LeaderCommit uint64

	// Responses. Success is AppendEntries' "success" and RequestVote's
	// "voteGranted". MatchIndex is the last index the follower verified
	// (on success) or the index it rejected. ConflictIndex and ConflictTerm
	// are the follower's hint for fast backtracking (end of §5.3).
	Success       bool
	MatchIndex    uint64
	ConflictIndex uint64
	ConflictTerm  uint64

	// InstallSnapshot.
	Snapshot *Snapshot

	// ReadIndex answers forwarded reads (whose contexts travel in
	// Entries). Context is echoed by a HeartbeatResponse: the leader's
	// ReadIndex round number.
	Context   []byte
	ReadIndex uint64

	// TransferLeadership, set on a TimeoutNow: the election that follows may
	// ignore the "leader is alive" check (thesis §3.10, §4.2.3).
	Transfer bool
}
