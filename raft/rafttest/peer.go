// Package rafttest drives raft nodes in one thread with virtual time: a
// scripted environment for golden scenario tests (Env, driven by
// datadriven files) and a seeded fault-injecting simulator with safety and
// liveness checkers (Sim). Both use the same driver, Peer, which follows
// the Ready contract to the letter, and the same message formatter,
// raft.DescribeMessage.
package rafttest

import (
	"fmt"
	"log/slog"
	"math/rand/v2"

	"skiff/raft"
	"skiff/raft/raftpb"
)

// PeerConfig is what every node of a test cluster shares.
type PeerConfig struct {
	ElectionTick       int
	HeartbeatTick      int
	DisablePreVote     bool
	DisableCheckQuorum bool
	MaxSizePerMsg      uint64
	MaxInflightMsgs    int
	// Seed makes randomized election timeouts reproducible; node id is
	// mixed in so that nodes differ.
	Seed   uint64
	Logger *slog.Logger
}

// Peer is one node with its driver: its disk (a MemoryStorage that only the
// driver writes, from Ready) and its state machine (the applied entries).
// A crash throws away everything but Disk.
type Peer struct {
	ID      uint64
	Node    *raft.Node
	Disk    *raft.MemoryStorage
	Applied []raftpb.Entry // the state machine: applied entries, in order
	Down    bool

	cfg         PeerConfig
	incarnation uint64
}

// NewPeer starts node id of a new cluster whose voters are voters.
func NewPeer(id uint64, voters []uint64, cfg PeerConfig) (*Peer, error) {
	disk := raft.NewMemoryStorage()
	if err := disk.Bootstrap(raftpb.ConfState{Voters: voters}); err != nil {
		return nil, err
	}
	p := &Peer{ID: id, Disk: disk, cfg: cfg}
	return p, p.start()
}

// start builds the raft node over the disk as it is now.
func (p *Peer) start() error {
	p.incarnation++
	logger := p.cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	n, err := raft.New(raft.Config{
		ID: p.ID, Storage: p.Disk,
		ElectionTick: p.cfg.ElectionTick, HeartbeatTick: p.cfg.HeartbeatTick,
		DisablePreVote: p.cfg.DisablePreVote, DisableCheckQuorum: p.cfg.DisableCheckQuorum,
		MaxSizePerMsg: p.cfg.MaxSizePerMsg, MaxInflightMsgs: p.cfg.MaxInflightMsgs,
		Rand:   rand.New(rand.NewPCG(p.cfg.Seed, p.ID<<32|p.incarnation)),
		Logger: logger,
	})
	if err != nil {
		return fmt.Errorf("rafttest: starting node %d: %w", p.ID, err)
	}
	p.Node, p.Applied, p.Down = n, nil, false
	return nil
}

// Crash drops the node and its state machine; only Disk survives.
func (p *Peer) Crash() {
	p.Node, p.Applied, p.Down = nil, nil, true
}

// Restart brings a crashed node back from what its disk holds. The
// state machine is rebuilt by re-applying committed entries from index 1.
func (p *Peer) Restart() error {
	hs, cs, err := p.Disk.InitialState()
	if err != nil {
		return err
	}
	last, _ := p.Disk.LastIndex()
	ents, err := p.Disk.Entries(1, last+1, ^uint64(0))
	if err != nil {
		return err
	}
	fresh := raft.NewMemoryStorage()
	if err := fresh.Bootstrap(cs); err != nil {
		return err
	}
	if err := fresh.Append(ents); err != nil {
		return err
	}
	if err := fresh.SetHardState(hs); err != nil {
		return err
	}
	p.Disk = fresh // a new process opens the same files
	return p.start()
}

// HandleReady runs one turn of the Ready loop if the node has work: persist,
// then hand back the messages to send, then apply, then Advance. It returns
// the Ready (for printing and checking) and whether there was one.
func (p *Peer) HandleReady() (raft.Ready, bool, error) {
	if p.Down || !p.Node.HasReady() {
		return raft.Ready{}, false, nil
	}
	rd := p.Node.Ready()
	if err := p.Persist(rd); err != nil {
		return rd, true, err
	}
	p.Apply(rd)
	// The Message values outlive Advance in the network, so copy the slice.
	rd.Messages = append([]raftpb.Message(nil), rd.Messages...)
	p.Node.Advance()
	return rd, true, nil
}

// Persist writes rd's hard state and entries to the disk.
func (p *Peer) Persist(rd raft.Ready) error {
	if err := p.Disk.Append(rd.Entries); err != nil {
		return fmt.Errorf("rafttest: node %d persisting entries: %w", p.ID, err)
	}
	if !rd.HardState.IsEmpty() {
		if err := p.Disk.SetHardState(rd.HardState); err != nil {
			return err
		}
	}
	return nil
}

// Apply adds rd's committed entries to the state machine.
func (p *Peer) Apply(rd raft.Ready) {
	p.Applied = append(p.Applied, rd.CommittedEntries...)
}

// DiskLog returns the persisted log (index 1 first).
func (p *Peer) DiskLog() []raftpb.Entry {
	last, _ := p.Disk.LastIndex()
	first, _ := p.Disk.FirstIndex()
	ents, err := p.Disk.Entries(first, last+1, ^uint64(0))
	if err != nil {
		panic(fmt.Sprintf("rafttest: reading node %d's disk: %v", p.ID, err))
	}
	return ents
}

// DiskHardState returns the persisted hard state.
func (p *Peer) DiskHardState() raftpb.HardState {
	hs, _, _ := p.Disk.InitialState()
	return hs
}
