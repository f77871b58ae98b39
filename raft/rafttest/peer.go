// Package rafttest drives raft nodes in one thread with virtual time: a
// scripted environment for golden scenario tests (Env, driven by
// datadriven files) and a seeded fault-injecting simulator with safety and
// liveness checkers (Sim). Both use the same driver, Peer, which follows
// the Ready contract to the letter, and the same message formatter,
// raft.DescribeMessage.
package rafttest

import (
	"encoding/binary"
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
// A crash throws away everything but Disk. A snapshot of the state machine
// is the encoding of every applied entry, so that restoring one rebuilds
// Applied exactly and the checkers can compare it entry by entry.
type Peer struct {
	ID      uint64
	Node    *raft.Node
	Disk    *raft.MemoryStorage
	Applied []raftpb.Entry // the state machine: applied entries, in order from index 1
	Down    bool
	// Config is the configuration as the driver knows it: the bootstrap
	// or snapshot's, then each ApplyConfChange result.
	Config raftpb.ConfState
	// OnConfChange, if set, is called after each configuration change is
	// applied, with Config already updated and before the one before it.
	OnConfChange func(p *Peer, e raftpb.Entry, before raftpb.ConfState)

	cfg         PeerConfig
	incarnation uint64
}

// NewPeer starts node id of a new cluster whose voters are voters.
func NewPeer(id uint64, voters []uint64, cfg PeerConfig) (*Peer, error) {
	disk := raft.NewMemoryStorage()
	if err := disk.Bootstrap(raftpb.ConfState{Voters: voters}); err != nil {
		return nil, err
	}
	p := &Peer{ID: id, Disk: disk, cfg: cfg, Config: raftpb.ConfState{Voters: voters}}
	return p, p.start()
}

// NewJoiningPeer starts node id with an empty log, as a server does when it
// joins a running cluster: its disk is bootstrapped with the cluster's
// current members (cs, which does not include id), so that replaying the
// log from index 1 ends in the configuration the others have. It is no
// voter in cs, so it never campaigns before the change adding it applies.
func NewJoiningPeer(id uint64, cs raftpb.ConfState, cfg PeerConfig) (*Peer, error) {
	disk := raft.NewMemoryStorage()
	if err := disk.Bootstrap(cs); err != nil {
		return nil, err
	}
	p := &Peer{ID: id, Disk: disk, cfg: cfg, Config: cs}
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

// Restart brings a crashed node back from what its disk holds. The state
// machine is restored from the snapshot, if any, and raft then hands out
// the committed entries after it again.
func (p *Peer) Restart() error {
	hs, cs, err := p.Disk.InitialState()
	if err != nil {
		return err
	}
	snap, _ := p.Disk.Snapshot()
	ents := p.DiskLog()
	fresh := raft.NewMemoryStorage() // a new process opens the same files
	switch {
	case !snap.IsEmpty():
		err = fresh.ApplySnapshot(snap)
	case len(cs.Voters) > 0:
		err = fresh.Bootstrap(cs)
	}
	if err == nil {
		err = fresh.Append(ents)
	}
	if err == nil {
		err = fresh.SetHardState(hs)
	}
	if err != nil {
		return fmt.Errorf("rafttest: restarting node %d: %w", p.ID, err)
	}
	p.Disk = fresh
	if err := p.start(); err != nil {
		return err
	}
	p.Config = cs
	if !snap.IsEmpty() {
		p.Applied = decodeApplied(snap.Data)
	}
	return nil
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

// Persist writes rd's snapshot, hard state and entries to the disk.
func (p *Peer) Persist(rd raft.Ready) error {
	if !rd.Snapshot.IsEmpty() {
		if err := p.Disk.ApplySnapshot(rd.Snapshot); err != nil {
			return fmt.Errorf("rafttest: node %d persisting a snapshot: %w", p.ID, err)
		}
	}
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

// Apply restores rd's snapshot into the state machine, then applies the
// committed entries: configuration changes go to raft (ApplyConfChange),
// and every entry is appended to Applied.
func (p *Peer) Apply(rd raft.Ready) {
	if !rd.Snapshot.IsEmpty() {
		p.Applied = decodeApplied(rd.Snapshot.Data)
		p.Config = rd.Snapshot.Metadata.ConfState
	}
	for _, e := range rd.CommittedEntries {
		p.Applied = append(p.Applied, e)
		if e.Type == raftpb.EntryConfChange {
			p.applyConfChange(e)
		}
	}
}

// TakeSnapshot snapshots the state machine at its applied index and
// compacts the disk's log, keeping up to keep entries below the snapshot
// for followers a little behind. It returns the snapshot's index (0 if
// there was nothing new to snapshot).
func (p *Peer) TakeSnapshot(keep uint64) (uint64, error) {
	idx := uint64(len(p.Applied))
	if old, _ := p.Disk.Snapshot(); idx <= old.Metadata.Index {
		return 0, nil
	}
	cs := p.Config
	if _, err := p.Disk.CreateSnapshot(idx, &cs, encodeApplied(p.Applied)); err != nil {
		return 0, fmt.Errorf("rafttest: node %d snapshot at %d: %w", p.ID, idx, err)
	}
	if first, _ := p.Disk.FirstIndex(); idx > keep && idx-keep >= first {
		if err := p.Disk.Compact(idx - keep); err != nil {
			return 0, fmt.Errorf("rafttest: node %d compacting to %d: %w", p.ID, idx-keep, err)
		}
	}
	return idx, nil
}

// encodeApplied is the state machine's snapshot: every applied entry.
func encodeApplied(ents []raftpb.Entry) []byte {
	var b []byte
	for i := range ents {
		b = binary.AppendUvarint(b, uint64(ents[i].Size()))
		b = ents[i].MarshalAppend(b)
	}
	return b
}

// decodeApplied rebuilds the applied entries from a snapshot.
func decodeApplied(b []byte) []raftpb.Entry {
	var ents []raftpb.Entry
	for len(b) > 0 {
		n, k := binary.Uvarint(b)
		var e raftpb.Entry
		if k <= 0 || uint64(len(b)-k) < n || e.Unmarshal(b[k:k+int(n)]) != nil {
			panic("rafttest: corrupt state machine snapshot")
		}
		ents = append(ents, e)
		b = b[k+int(n):]
	}
	return ents
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

// applyConfChange hands a committed configuration change to raft, unless
// it adds back a member removed earlier in the log: like etcd's server,
// the driver refuses to reuse an ID, and since every driver decides from
// the same applied entries, they all skip the same changes.
func (p *Peer) applyConfChange(e raftpb.Entry) {
	cc := decodeConfChange(p.ID, e)
	if cc.Type != raftpb.ConfChangeRemoveNode && wasRemoved(p.Applied[:len(p.Applied)-1], cc.NodeID) {
		return
	}
	before := p.Config
	p.Config = p.Node.ApplyConfChange(cc)
	if p.OnConfChange != nil {
		p.OnConfChange(p, e, before)
	}
}

func decodeConfChange(id uint64, e raftpb.Entry) raftpb.ConfChange {
	var cc raftpb.ConfChange
	if err := cc.Unmarshal(e.Data); err != nil {
		panic(fmt.Sprintf("rafttest: node %d: undecodable conf change at %d: %v", id, e.Index, err))
	}
	return cc
}

// wasRemoved reports whether applied holds the removal of id.
func wasRemoved(applied []raftpb.Entry, id uint64) bool {
	for i := len(applied) - 1; i >= 0; i-- {
		if e := applied[i]; e.Type == raftpb.EntryConfChange {
			if cc := decodeConfChange(0, e); cc.NodeID == id && cc.Type == raftpb.ConfChangeRemoveNode {
				return true
			}
		}
	}
	return false
}
