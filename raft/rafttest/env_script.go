package rafttest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"skiff/raft"
	"skiff/raft/raftpb"
)

// Handle runs one datadriven command and returns its output. Commands:
//
//	add-nodes <n> [election=10] [heartbeat=1] [prevote=true] [checkquorum=true] [seed=1] [maxsize=bytes]
//	campaign <id>             propose <id> <data> [times=n]
//	tick <id> [n]             tick-heartbeat <id>    tick-all <n>
//	process-ready [id...]     deliver-msgs [id...]   drop-msgs [id...]
//	stabilize                 status <id>            log <id>
//	isolate <id>              cut <from> <to>        heal
//	crash <id>                restart <id>
//	read-index <id> <ctx>     transfer-leadership <id> <to>
//	snapshot <id> [keep=n]    (snapshot at the applied index, compact all but n entries below)
//	propose-conf-change <id> add|learner|remove <node>
//	add-node <id>             (a joining node with an empty disk)
func (e *Env) Handle(t testing.TB, d *datadriven.TestData) string {
	if err := e.run(t, d); err != nil {
		e.Printf("error: %v\n", err)
	}
	out := e.Output()
	if out == "" {
		return "ok\n"
	}
	return out
}

func (e *Env) run(t testing.TB, d *datadriven.TestData) error {
	ids, err := positional(d)
	switch d.Cmd {
	case "add-nodes":
		return e.addNodesCmd(t, d, ids)
	case "process-ready":
		return e.ProcessReady(ids...)
	case "deliver-msgs":
		e.DeliverMsgs(ids...)
		return nil
	case "drop-msgs":
		e.DropMsgs(ids...)
		return nil
	case "stabilize":
		return e.Stabilize()
	case "heal":
		e.Heal()
		return nil
	case "tick-all":
		if len(ids) != 1 {
			return fmt.Errorf("tick-all needs a tick count")
		}
		e.TickAll(int(ids[0]))
		return nil
	}
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return fmt.Errorf("%s needs a node id", d.Cmd)
	}
	return e.runOnNode(d, ids)
}

// runOnNode runs the commands that name a node first.
func (e *Env) runOnNode(d *datadriven.TestData, ids []uint64) error {
	if d.Cmd == "add-node" {
		cfg := PeerConfig{ElectionTick: 10, HeartbeatTick: 1, Seed: 1}
		for _, p := range e.Peers {
			cfg = p.cfg
			break
		}
		return e.AddJoiningNode(ids[0], cfg)
	}
	p, err := e.peer(ids[0])
	if err != nil {
		return err
	}
	switch d.Cmd {
	case "campaign":
		return p.Node.Campaign()
	case "propose":
		if len(d.CmdArgs) < 2 {
			return fmt.Errorf("propose needs <id> <data>")
		}
		times := 1
		if a, ok := d.Arg("times"); ok && len(a.Vals) == 1 {
			times, _ = strconv.Atoi(a.Vals[0])
		}
		for i := 0; i < times; i++ {
			if err := p.Node.Propose([]byte(d.CmdArgs[1].Key)); err != nil {
				return err
			}
		}
		return nil
	case "read-index":
		if len(d.CmdArgs) < 2 {
			return fmt.Errorf("read-index needs <id> <ctx>")
		}
		return p.Node.ReadIndex([]byte(d.CmdArgs[1].Key))
	case "transfer-leadership":
		if len(ids) != 2 {
			return fmt.Errorf("transfer-leadership needs <id> <to>")
		}
		return p.Node.TransferLeadership(ids[1])
	case "snapshot":
		return e.snapshotCmd(d, p)
	case "propose-conf-change":
		return e.proposeConfChangeCmd(d, p)
	case "tick":
		n := 1
		if len(ids) > 1 {
			n = int(ids[1])
		}
		e.tick(p, n)
		return nil
	case "tick-heartbeat":
		e.tick(p, p.cfg.HeartbeatTick)
		return nil
	case "status":
		e.printStatus(p)
		return nil
	case "log":
		e.Printf("%s\n", raft.DescribeEntries(p.DiskLog()))
		return nil
	case "isolate":
		e.Isolate(p.ID)
		return nil
	case "cut":
		if len(ids) != 2 {
			return fmt.Errorf("cut needs <from> <to>")
		}
		e.Cut(ids[0], ids[1])
		return nil
	case "crash":
		p.Crash()
		return nil
	case "restart":
		return p.Restart()
	}
	return fmt.Errorf("unknown command %q", d.Cmd)
}

// tick ticks p n times, printing role changes as they happen.
func (e *Env) tick(p *Peer, n int) {
	before := p.Node.Status()
	for i := 0; i < n; i++ {
		p.Node.Tick()
		if st := p.Node.Status(); st.Role != before.Role || st.Term != before.Term {
			e.Printf("%d after %d ticks: %s term=%d\n", p.ID, i+1, st.Role, st.Term)
			before = st
		}
	}
}

// TickAll ticks every live node n times, in id order each tick, printing
// role changes.
func (e *Env) TickAll(n int) {
	before := map[uint64]raft.Status{}
	for _, id := range e.ids {
		if p := e.Peers[id]; !p.Down {
			before[id] = p.Node.Status()
		}
	}
	for i := 0; i < n; i++ {
		for _, id := range e.ids {
			p := e.Peers[id]
			if p.Down {
				continue
			}
			p.Node.Tick()
			if st := p.Node.Status(); st.Role != before[id].Role || st.Term != before[id].Term {
				e.Printf("%d after %d ticks: %s term=%d\n", id, i+1, st.Role, st.Term)
				before[id] = st
			}
		}
	}
}

func (e *Env) printStatus(p *Peer) {
	if p.Down {
		e.Printf("%d is down\n", p.ID)
		return
	}
	st := p.Node.Status()
	e.Printf("%d %s term=%d vote=%d lead=%d commit=%d applied=%d last=%d/%d\n",
		st.ID, st.Role, st.Term, st.Vote, st.Lead, st.Commit, st.Applied, st.LastTerm, st.LastIndex)
	if st.LeadTransferee != 0 {
		e.Printf("  transferring leadership to %d\n", st.LeadTransferee)
	}
	for _, id := range e.ids {
		if pr, ok := st.Progress[id]; ok {
			e.Printf("  %d: match=%d next=%d %s\n", id, pr.Match, pr.Next, pr.State)
		}
	}
}

func (e *Env) addNodesCmd(t testing.TB, d *datadriven.TestData, ids []uint64) error {
	if len(ids) != 1 {
		return fmt.Errorf("add-nodes needs a count")
	}
	cfg := PeerConfig{ElectionTick: 10, HeartbeatTick: 1, Seed: 1}
	prevote, checkQuorum := true, true
	d.MaybeScanArgs(t, "election", &cfg.ElectionTick)
	d.MaybeScanArgs(t, "heartbeat", &cfg.HeartbeatTick)
	d.MaybeScanArgs(t, "prevote", &prevote)
	d.MaybeScanArgs(t, "checkquorum", &checkQuorum)
	d.MaybeScanArgs(t, "seed", &cfg.Seed)
	d.MaybeScanArgs(t, "maxsize", &cfg.MaxSizePerMsg)
	cfg.DisablePreVote, cfg.DisableCheckQuorum = !prevote, !checkQuorum
	return e.AddNodes(int(ids[0]), cfg)
}

// positional returns the leading arguments that are bare numbers.
func positional(d *datadriven.TestData) ([]uint64, error) {
	var ids []uint64
	for _, a := range d.CmdArgs {
		if len(a.Vals) > 0 {
			continue
		}
		id, err := strconv.ParseUint(a.Key, 10, 64)
		if err != nil {
			if d.Cmd == "propose" || d.Cmd == "read-index" || d.Cmd == "propose-conf-change" {
				continue
			}
			return nil, fmt.Errorf("%s: %q is not a node id", d.Cmd, strings.TrimSpace(a.Key))
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func (e *Env) snapshotCmd(d *datadriven.TestData, p *Peer) error {
	var keep uint64
	if a, ok := d.Arg("keep"); ok && len(a.Vals) == 1 {
		keep, _ = strconv.ParseUint(a.Vals[0], 10, 64)
	}
	idx, err := p.TakeSnapshot(keep)
	if err != nil {
		return err
	}
	first, _ := p.Disk.FirstIndex()
	last, _ := p.Disk.LastIndex()
	e.Printf("%d: snapshot at %d; log holds [%d, %d]\n", p.ID, idx, first, last)
	return nil
}

func (e *Env) proposeConfChangeCmd(d *datadriven.TestData, p *Peer) error {
	if len(d.CmdArgs) != 3 {
		return fmt.Errorf("propose-conf-change needs <id> add|learner|remove <node>")
	}
	types := map[string]raftpb.ConfChangeType{"add": raftpb.ConfChangeAddNode,
		"learner": raftpb.ConfChangeAddLearner, "remove": raftpb.ConfChangeRemoveNode}
	typ, ok := types[d.CmdArgs[1].Key]
	node, err := strconv.ParseUint(d.CmdArgs[2].Key, 10, 64)
	if !ok || err != nil {
		return fmt.Errorf("propose-conf-change: want add|learner|remove <node>, got %s %s", d.CmdArgs[1].Key, d.CmdArgs[2].Key)
	}
	return p.Node.ProposeConfChange(raftpb.ConfChange{Type: typ, NodeID: node})
}
