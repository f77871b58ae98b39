package rafttest

import (
	"fmt"
	"slices"
	"strings"

	"skiff/raft"
	"skiff/raft/raftpb"
)

// Env is a scripted cluster for golden scenario tests: nothing happens
// unless a command says so. Messages wait in one FIFO queue until
// delivered; links can be cut; nodes can crash and restart. Every command
// writes what happened to the output, using raft.DescribeMessage.
type Env struct {
	Peers map[uint64]*Peer
	ids   []uint64
	queue []raftpb.Message
	cut   map[[2]uint64]bool // directed links that drop messages
	out   strings.Builder
}

// NewEnv returns an empty environment.
func NewEnv() *Env {
	return &Env{Peers: map[uint64]*Peer{}, cut: map[[2]uint64]bool{}}
}

// AddNodes starts nodes 1..n of a new cluster in which all are voters.
func (e *Env) AddNodes(n int, cfg PeerConfig) error {
	voters := make([]uint64, n)
	for i := range voters {
		voters[i] = uint64(i + 1)
	}
	for _, id := range voters {
		p, err := NewPeer(id, voters, cfg)
		if err != nil {
			return err
		}
		e.Peers[id] = p
		e.ids = append(e.ids, id)
	}
	return nil
}

// peer returns the node with the given id or an error naming the known ids.
func (e *Env) peer(id uint64) (*Peer, error) {
	p, ok := e.Peers[id]
	if !ok {
		return nil, fmt.Errorf("no node %d (nodes are %v)", id, e.ids)
	}
	return p, nil
}

// ProcessReady runs the Ready loop once on each listed node (all if none),
// printing each Ready and queueing its messages.
func (e *Env) ProcessReady(ids ...uint64) error {
	if len(ids) == 0 {
		ids = e.ids
	}
	for _, id := range ids {
		p, err := e.peer(id)
		if err != nil {
			return err
		}
		before := p.Config
		rd, ok, err := p.HandleReady()
		if err != nil {
			return err
		}
		if ok {
			e.printReady(id, rd)
			if !before.Equal(p.Config) {
				fmt.Fprintf(&e.out, "  applied config: %s\n", raft.DescribeConfState(p.Config))
			}
			e.queue = append(e.queue, rd.Messages...)
		}
	}
	return nil
}

func (e *Env) printReady(id uint64, rd raft.Ready) {
	fmt.Fprintf(&e.out, "> %d handling Ready\n", id)
	if rd.SoftState != nil {
		fmt.Fprintf(&e.out, "  Role: %s lead=%d\n", rd.SoftState.Role, rd.SoftState.Lead)
	}
	if !rd.HardState.IsEmpty() {
		hs := rd.HardState
		fmt.Fprintf(&e.out, "  HardState: term=%d vote=%d commit=%d\n", hs.Term, hs.Vote, hs.Commit)
	}
	if !rd.Snapshot.IsEmpty() {
		md := rd.Snapshot.Metadata
		fmt.Fprintf(&e.out, "  Snapshot: index=%d term=%d %s\n", md.Index, md.Term, raft.DescribeConfState(md.ConfState))
	}
	if len(rd.Entries) > 0 {
		fmt.Fprintf(&e.out, "  Entries: %s\n", raft.DescribeEntries(rd.Entries))
	}
	if len(rd.CommittedEntries) > 0 {
		fmt.Fprintf(&e.out, "  CommittedEntries: %s\n", raft.DescribeEntries(rd.CommittedEntries))
	}
	for _, rs := range rd.ReadStates {
		fmt.Fprintf(&e.out, "  ReadState: ctx=%q index=%d\n", rs.RequestCtx, rs.Index)
	}
	for _, m := range rd.Messages {
		fmt.Fprintf(&e.out, "  send %s\n", raft.DescribeMessage(m))
	}
}

// DeliverMsgs steps every queued message addressed to one of ids (all
// nodes if none) into its node, in queue order. Messages over a cut link or
// to a crashed node are dropped. It returns how many were taken off the
// queue.
func (e *Env) DeliverMsgs(ids ...uint64) int {
	var keep []raftpb.Message
	n := 0
	for _, m := range e.queue {
		if len(ids) > 0 && !slices.Contains(ids, m.To) {
			keep = append(keep, m)
			continue
		}
		n++
		p := e.Peers[m.To]
		if p == nil || p.Down || e.cut[[2]uint64{m.From, m.To}] {
			fmt.Fprintf(&e.out, "  dropped %s\n", raft.DescribeMessage(m))
			e.reportSnapshot(m, true)
			continue
		}
		fmt.Fprintf(&e.out, "  recv %s\n", raft.DescribeMessage(m))
		if err := p.Node.Step(m); err != nil {
			fmt.Fprintf(&e.out, "  error: %v\n", err)
		}
		e.reportSnapshot(m, false)
	}
	e.queue = keep
	return n
}

// reportSnapshot tells the sender of an InstallSnapshot how its send went,
// as a transport does (Node.ReportSnapshot).
func (e *Env) reportSnapshot(m raftpb.Message, failed bool) {
	if m.Type != raftpb.MsgInstallSnapshot {
		return
	}
	if p := e.Peers[m.From]; p != nil && !p.Down {
		p.Node.ReportSnapshot(m.To, failed)
		fmt.Fprintf(&e.out, "  report snapshot %d->%d failed=%v\n", m.From, m.To, failed)
	}
}

// AddJoiningNode starts node id with an empty disk, as a new member does
// before the leader adds it (propose-conf-change) and catches it up.
func (e *Env) AddJoiningNode(id uint64, cfg PeerConfig) error {
	if _, ok := e.Peers[id]; ok {
		return fmt.Errorf("node %d exists", id)
	}
	p, err := NewJoiningPeer(id, e.Peers[e.ids[0]].Config, cfg)
	if err != nil {
		return err
	}
	e.Peers[id] = p
	e.ids = append(e.ids, id)
	return nil
}

// DropMsgs discards queued messages addressed to ids (all if none).
func (e *Env) DropMsgs(ids ...uint64) {
	var keep []raftpb.Message
	for _, m := range e.queue {
		if len(ids) > 0 && !slices.Contains(ids, m.To) {
			keep = append(keep, m)
			continue
		}
		fmt.Fprintf(&e.out, "  dropped %s\n", raft.DescribeMessage(m))
		e.reportSnapshot(m, true)
	}
	e.queue = keep
}

// Stabilize alternates Ready handling and delivery until the cluster is
// quiet (no Ready and no message in flight).
func (e *Env) Stabilize() error {
	for {
		if err := e.ProcessReady(); err != nil {
			return err
		}
		if len(e.queue) == 0 {
			return nil
		}
		fmt.Fprintf(&e.out, "> delivering\n")
		e.DeliverMsgs()
	}
}

// Isolate cuts every link to and from id.
func (e *Env) Isolate(id uint64) {
	for _, o := range e.ids {
		if o != id {
			e.cut[[2]uint64{id, o}], e.cut[[2]uint64{o, id}] = true, true
		}
	}
}

// Cut cuts the link from a to b (one way).
func (e *Env) Cut(a, b uint64) { e.cut[[2]uint64{a, b}] = true }

// Heal restores every link.
func (e *Env) Heal() { clear(e.cut) }

// Output returns and clears what the commands have written.
func (e *Env) Output() string {
	s := e.out.String()
	e.out.Reset()
	return s
}

// Printf writes to the output.
func (e *Env) Printf(format string, args ...any) { fmt.Fprintf(&e.out, format, args...) }
