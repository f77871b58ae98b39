package rafttest

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"

	"skiff/raft"
	"skiff/raft/raftpb"
)

// SimOptions configure one simulation run. Everything random derives from
// Seed, so a run replays exactly from (Seed, options, code version).
type SimOptions struct {
	Seed  uint64
	Nodes int
	// Ticks is the length of the fault phase; LivenessTicks bounds how long
	// after healing a leader must be elected and a proposal committed.
	Ticks         int
	LivenessTicks int
	StepsPerTick  int // network steps per tick; message delays are in steps
	ElectionTick  int
	HeartbeatTick int
	// Faults, if nil, are derived from Seed (SwarmFaults).
	Faults *Faults
	// Trace records every event; Sim.Trace returns it.
	Trace bool
	// UnsafeSendBeforePersist makes the driver send a Ready's messages
	// before persisting it, and sometimes crash in between: a broken driver
	// the checkers must catch.
	UnsafeSendBeforePersist bool
}

func (o *SimOptions) setDefaults() {
	if o.Nodes == 0 {
		o.Nodes = 3
	}
	if o.Ticks == 0 {
		o.Ticks = 1000
	}
	if o.ElectionTick == 0 {
		o.ElectionTick = 10
	}
	if o.HeartbeatTick == 0 {
		o.HeartbeatTick = 1
	}
	if o.StepsPerTick == 0 {
		o.StepsPerTick = 4
	}
	if o.LivenessTicks == 0 {
		// An election round takes one to two timeouts, and without Pre-Vote
		// a node with a stale log can force a fresh round by timing out
		// first (it cannot win, but it raises everyone's term). Some node
		// can always win, and it times out first with probability at least
		// 1/Nodes per round; 50 timeouts (about 40 rounds, as the first
		// of several timers fires after 10–12 ticks) keep false alarms
		// rare (about 0.01% per seed in the worst case of 5 nodes with a
		// single winnable log, far less in practice) while a cluster that
		// truly cannot make progress still fails.
		o.LivenessTicks = 50 * o.ElectionTick
	}
}

// Sim is a deterministic, single-threaded simulation of a raft cluster
// under faults, with safety checkers run after every step.
type Sim struct {
	opts   SimOptions
	faults Faults
	peers  []*Peer // every node ever started, in id order
	byID   map[uint64]*Peer
	net    *network
	check  *checker
	cfg    PeerConfig // for nodes that join later

	removed map[uint64]bool // nodes whose removal was applied: stopped for good
	nextID  uint64          // the id a new member gets
	readSeq int

	faultRand, workRand *rand.Rand
	step                int
	proposals           int
	trace               strings.Builder
}

// NewSim builds the cluster for opts.
func NewSim(opts SimOptions) (*Sim, error) {
	opts.setDefaults()
	s := &Sim{opts: opts,
		faultRand: rand.New(rand.NewPCG(opts.Seed, 1)),
		workRand:  rand.New(rand.NewPCG(opts.Seed, 2)),
	}
	s.faults = SwarmFaults(rand.New(rand.NewPCG(opts.Seed, 3)))
	if opts.Faults != nil {
		s.faults = *opts.Faults
	}
	s.net = &network{rand: rand.New(rand.NewPCG(opts.Seed, 4)), faults: s.faults, cut: map[[2]uint64]bool{}}
	voters := make([]uint64, opts.Nodes)
	for i := range voters {
		voters[i] = uint64(i + 1)
	}
	cfg := PeerConfig{ElectionTick: opts.ElectionTick, HeartbeatTick: opts.HeartbeatTick,
		Seed: opts.Seed, MaxInflightMsgs: 8, MaxSizePerMsg: 1 << 10}
	if s.faults.OneEntryPerMsg {
		cfg.MaxSizePerMsg = 1
	}
	cfg.DisablePreVote, cfg.DisableCheckQuorum = s.faults.DisablePreVote, s.faults.DisableCheckQuorum
	s.cfg, s.byID, s.removed = cfg, map[uint64]*Peer{}, map[uint64]bool{}
	s.check = newChecker(nil, raftpb.ConfState{Voters: voters})
	for _, id := range voters {
		p, err := NewPeer(id, voters, cfg)
		if err != nil {
			return nil, err
		}
		s.addPeer(p)
	}
	s.nextID = uint64(opts.Nodes) + 1
	return s, nil
}

// Describe names the run's parameters, all derived from the seed.
func (s *Sim) Describe() string {
	return fmt.Sprintf("seed=%d nodes=%d ticks=%d faults: %s", s.opts.Seed, s.opts.Nodes, s.opts.Ticks, s.faults)
}

// Trace returns the recorded trace (empty unless SimOptions.Trace).
func (s *Sim) Trace() string { return s.trace.String() }

// TraceHash is a hash of the trace, for determinism checks.
func (s *Sim) TraceHash() uint64 {
	h := fnv.New64a()
	h.Write([]byte(s.trace.String()))
	return h.Sum64()
}

func (s *Sim) tracef(format string, args ...any) {
	if s.opts.Trace {
		fmt.Fprintf(&s.trace, "%5d ", s.step)
		fmt.Fprintf(&s.trace, format, args...)
		s.trace.WriteByte('\n')
	}
}

// Run runs the fault phase and then the liveness phase. It returns the
// first safety or liveness violation.
// A panic inside raft (a broken invariant) is reported as a violation too.
func (s *Sim) Run() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic at step %d: %v", s.step, r)
		}
	}()
	for tick := 0; tick < s.opts.Ticks; tick++ {
		s.injectFaults()
		s.maybePropose()
		s.maybeReadIndex()
		s.maybeChangeMembership()
		s.maybeSnapshot()
		if err := s.runTick(false); err != nil {
			return err
		}
	}
	return s.checkLiveness()
}

// runTick ticks every live node once and runs StepsPerTick network steps.
func (s *Sim) runTick(calm bool) error {
	for _, p := range s.peers {
		if !p.Down {
			p.Node.Tick()
		}
	}
	for i := 0; i < s.opts.StepsPerTick; i++ {
		if err := s.runStep(calm); err != nil {
			return err
		}
	}
	return nil
}

// runStep delivers due messages, then runs every live node's Ready loop
// once, then checks safety.
func (s *Sim) runStep(calm bool) error {
	s.step++
	for _, f := range s.net.due(s.step) {
		s.deliver(f.msg)
	}
	for _, p := range s.peers {
		if err := s.handleReady(p, calm); err != nil {
			return err
		}
	}
	return s.check.err
}

func (s *Sim) deliver(m raftpb.Message) {
	p := s.byID[m.To]
	if p == nil || p.Down || s.net.cut[[2]uint64{m.From, m.To}] {
		s.tracef("lost %s", raft.DescribeMessage(m))
		s.reportSnapshot(m, true)
		return
	}
	s.tracef("recv %s", raft.DescribeMessage(m))
	defer s.reportSnapshot(m, false)
	if err := p.Node.Step(m); errors.Is(err, raft.ErrProposalDropped) {
		s.tracef("proposal dropped at %d", p.ID)
	} else if err != nil {
		s.check.fail("node %d rejected %s: %v", p.ID, raft.DescribeMessage(m), err)
	}
}

// handleReady is the driver: persist, send, apply, Advance — and hand the
// results to the checkers.
func (s *Sim) handleReady(p *Peer, calm bool) error {
	if p.Down || !p.Node.HasReady() {
		return nil
	}
	rd := p.Node.Ready()
	// The state this Ready describes: messages stepped in below may move
	// the node on (say, to a later term) before the Ready is handled.
	st := p.Node.Status()
	if s.faults.StepDuringReady && !calm {
		// Messages that arrive while the write is in flight. Advance
		// below acknowledges only what this Ready handed out.
		for _, f := range s.net.dueFor(p.ID, s.step+1) {
			s.deliver(f.msg)
		}
	}
	if s.opts.UnsafeSendBeforePersist {
		s.sendAll(p, rd.Messages, calm)
		if s.faultRand.Float64() < 0.05 {
			s.crash(p, "between send and persist")
			return nil
		}
	}
	if err := p.Persist(rd); err != nil {
		return err
	}
	if rd.SoftState != nil {
		s.tracef("%d is %s (lead %d) term %d", p.ID, rd.SoftState.Role, rd.SoftState.Lead, st.Term)
	}
	s.traceReady(p, rd)
	s.check.persisted(p, rd, st)
	if !s.opts.UnsafeSendBeforePersist {
		s.sendAll(p, rd.Messages, calm)
	}
	p.Apply(rd)
	if !rd.Snapshot.IsEmpty() {
		s.check.restored(p, rd.Snapshot.Metadata.Index)
	}
	s.check.applied(p, rd.CommittedEntries)
	s.check.readStates(p, rd.ReadStates)
	p.Node.Advance()
	s.afterApply(p, rd.CommittedEntries)
	return nil
}

// traceReady records what the driver persisted and will apply.
func (s *Sim) traceReady(p *Peer, rd raft.Ready) {
	if !s.opts.Trace {
		return
	}
	if hs := rd.HardState; !hs.IsEmpty() {
		s.tracef("%d persist term=%d vote=%d commit=%d", p.ID, hs.Term, hs.Vote, hs.Commit)
	}
	if len(rd.Entries) > 0 {
		s.tracef("%d persist entries %s", p.ID, raft.DescribeEntries(rd.Entries))
	}
	if len(rd.CommittedEntries) > 0 {
		s.tracef("%d apply %s", p.ID, raft.DescribeEntries(rd.CommittedEntries))
	}
}

// sendAll puts from's messages on the network. A message lost to a cut
// link is reported back, as a transport that cannot connect would.
func (s *Sim) sendAll(from *Peer, msgs []raftpb.Message, calm bool) {
	for _, m := range msgs {
		dropped, copies := s.net.send(s.step, m, calm)
		switch {
		case dropped && s.net.cut[[2]uint64{m.From, m.To}]:
			s.tracef("unreachable %s", raft.DescribeMessage(m))
			from.Node.ReportUnreachable(m.To)
			s.reportSnapshot(m, true)
		case dropped:
			s.tracef("drop %s", raft.DescribeMessage(m))
			s.reportSnapshot(m, true)
		case copies > 1:
			s.tracef("dup  %s", raft.DescribeMessage(m))
		}
	}
}

// maybePropose has a client send a fresh value to a random live node.
func (s *Sim) maybePropose() {
	if s.workRand.Float64() >= s.faults.Propose {
		return
	}
	p := s.peers[s.workRand.IntN(len(s.peers))]
	if p.Down {
		return
	}
	s.proposals++
	data := fmt.Sprintf("v%d", s.proposals)
	err := p.Node.Propose([]byte(data))
	s.tracef("propose %q at %d: %v", data, p.ID, errString(err))
}

func errString(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

// ids lists the ids of the given peers.
func ids(ps []*Peer) []uint64 {
	out := make([]uint64, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	slices.Sort(out)
	return out
}
