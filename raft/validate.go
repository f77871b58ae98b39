package raft

import (
	"errors"
	"fmt"

	"skiff/raft/raftpb"
)

// ErrInvalidMessage is wrapped by Step's errors for messages that no
// correct peer sends; the message is dropped and the node is unchanged.
var ErrInvalidMessage = errors.New("raft: invalid message")

// validateMessage checks the shape of a message from a peer before raft
// acts on it, so that a corrupt or malicious message is refused with an
// error instead of breaking an invariant later.
func validateMessage(m raftpb.Message, self uint64) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s from %d: %s", ErrInvalidMessage, m.Type, m.From, fmt.Sprintf(format, args...))
	}
	switch {
	case m.From == 0:
		return bad("no sender; local proposals go through Node.Propose")
	case m.To != self:
		return bad("addressed to %d, delivered to %d", m.To, self)
	case m.Term == 0 && (isLeaderMessage(m.Type) || isVoteRequest(m.Type)):
		return bad("term 0; leaders and candidates always have a term")
	case m.Type == raftpb.MsgPropose && len(m.Entries) == 0:
		return bad("a proposal with no entries")
	case m.Type == raftpb.MsgAppendEntries:
		return validateEntries(m, bad)
	case m.Type == raftpb.MsgInstallSnapshot && (m.Snapshot == nil || m.Snapshot.Metadata.Index == 0):
		return bad("no snapshot")
	case m.Type == raftpb.MsgInstallSnapshot && m.Snapshot.Metadata.Term > m.Term:
		return bad("snapshot term %d is past the leader's term %d", m.Snapshot.Metadata.Term, m.Term)
	}
	return nil
}

// validateEntries checks that an AppendEntries carries consecutive entries
// right after prevLogIndex, with terms that never decrease and never exceed
// the leader's term (Figure 2's log properties).
func validateEntries(m raftpb.Message, bad func(string, ...any) error) error {
	if m.PrevLogTerm > m.Term {
		return bad("prevLogTerm %d is past the leader's term %d", m.PrevLogTerm, m.Term)
	}
	prevTerm := m.PrevLogTerm
	for i, e := range m.Entries {
		if want := m.PrevLogIndex + 1 + uint64(i); e.Index != want {
			return bad("entry %d has index %d, want %d", i, e.Index, want)
		}
		if e.Term < prevTerm || e.Term > m.Term {
			return bad("entry %d/%d has a term outside [%d, %d]", e.Term, e.Index, prevTerm, m.Term)
		}
		prevTerm = e.Term
	}
	return nil
}
