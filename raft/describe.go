package raft

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"skiff/raft/raftpb"
)

// DescribeMessage renders m in one line with Figure 2's vocabulary, e.g.
//
//	1->2 AppendEntries term=2 prevLogIndex=3 prevLogTerm=1 leaderCommit=3 entries=[2/4 "x=1"]
//
// It is the one formatter used by logs, simulator traces and golden test
// output, so that all three read alike.
func DescribeMessage(m raftpb.Message) string {
	var b strings.Builder
	b.WriteString(strconv.FormatUint(m.From, 10))
	b.WriteString("->")
	b.WriteString(strconv.FormatUint(m.To, 10))
	b.WriteByte(' ')
	b.WriteString(m.Type.String())
	field(&b, "term", m.Term)
	switch m.Type {
	case raftpb.MsgRequestVote, raftpb.MsgPreVote:
		field(&b, "lastLogIndex", m.LastLogIndex)
		field(&b, "lastLogTerm", m.LastLogTerm)
		if m.Transfer {
			b.WriteString(" transfer")
		}
	case raftpb.MsgRequestVoteResponse, raftpb.MsgPreVoteResponse:
		b.WriteString(map[bool]string{true: " voteGranted", false: " rejected"}[m.Success])
	case raftpb.MsgAppendEntries:
		field(&b, "prevLogIndex", m.PrevLogIndex)
		field(&b, "prevLogTerm", m.PrevLogTerm)
		field(&b, "leaderCommit", m.LeaderCommit)
		b.WriteString(" entries=")
		b.WriteString(DescribeEntries(m.Entries))
	case raftpb.MsgAppendEntriesResponse:
		describeAppendResponse(&b, m)
	case raftpb.MsgHeartbeat:
		field(&b, "leaderCommit", m.LeaderCommit)
		describeRound(&b, m.Context)
	case raftpb.MsgHeartbeatResponse:
		describeRound(&b, m.Context)
	case raftpb.MsgPropose:
		b.WriteString(" entries=")
		b.WriteString(DescribeEntries(m.Entries))
	case raftpb.MsgReadIndex:
		describeReads(&b, m.Entries)
	case raftpb.MsgReadIndexResponse:
		field(&b, "readIndex", m.ReadIndex)
		describeReads(&b, m.Entries)
	case raftpb.MsgInstallSnapshot:
		describeSnapshot(&b, m.Snapshot)
	}
	return b.String()
}

// describeReads lists the contexts of forwarded reads.
func describeReads(b *strings.Builder, ents []raftpb.Entry) {
	b.WriteString(" reads=[")
	for i := range ents {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Quote(string(ents[i].Data)))
	}
	b.WriteByte(']')
}

// describeRound shows the ReadIndex round a heartbeat belongs to.
func describeRound(b *strings.Builder, ctx []byte) {
	if len(ctx) == 8 {
		field(b, "readRound", binary.BigEndian.Uint64(ctx))
	}
}

func describeSnapshot(b *strings.Builder, s *raftpb.Snapshot) {
	if s == nil {
		b.WriteString(" snapshot=none")
		return
	}
	field(b, "lastIncludedIndex", s.Metadata.Index)
	field(b, "lastIncludedTerm", s.Metadata.Term)
	b.WriteString(" " + DescribeConfState(s.Metadata.ConfState))
}

// DescribeConfState renders a configuration as voters=[...] learners=[...].
func DescribeConfState(cs raftpb.ConfState) string {
	return fmt.Sprintf("voters=%v learners=%v", cs.Voters, cs.Learners)
}

func describeAppendResponse(b *strings.Builder, m raftpb.Message) {
	if m.Success {
		b.WriteString(" success")
		field(b, "matchIndex", m.MatchIndex)
		return
	}
	if m.MatchIndex == 0 && m.ConflictIndex == 0 {
		b.WriteString(" stale-term") // answer to a leader of an older term
		return
	}
	b.WriteString(" reject")
	field(b, "prevLogIndex", m.MatchIndex)
	field(b, "conflictIndex", m.ConflictIndex)
	field(b, "conflictTerm", m.ConflictTerm)
}

// DescribeEntries renders entries as [term/index data ...], quoting data.
func DescribeEntries(ents []raftpb.Entry) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range ents {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(DescribeEntry(e))
	}
	b.WriteByte(']')
	return b.String()
}

// DescribeEntry renders one entry as term/index followed by its data
// (quoted, or the entry type when it is not a normal entry).
func DescribeEntry(e raftpb.Entry) string {
	s := strconv.FormatUint(e.Term, 10) + "/" + strconv.FormatUint(e.Index, 10)
	if e.Type == raftpb.EntryConfChange {
		var cc raftpb.ConfChange
		if err := cc.Unmarshal(e.Data); err == nil {
			return s + " " + DescribeConfChange(cc)
		}
	}
	if e.Type != raftpb.EntryNormal {
		return s + " " + e.Type.String()
	}
	return s + " " + strconv.Quote(string(e.Data))
}

func field(b *strings.Builder, name string, v uint64) {
	b.WriteByte(' ')
	b.WriteString(name)
	b.WriteByte('=')
	b.WriteString(strconv.FormatUint(v, 10))
}

// DescribeConfChange renders a change as, e.g., AddLearner(4).
func DescribeConfChange(cc raftpb.ConfChange) string {
	return fmt.Sprintf("%s(%d)", cc.Type, cc.NodeID)
}
