package linearizability

import (
	"context"
	"fmt"
	"strings"
	"time"

	"skiff/tests/cluster"
)

// faultTime is how long a partition or a member's absence lasts: a few
// election timeouts of the harness's default 500ms.
const faultTime = 1500 * time.Millisecond

// Faults is every fault the in-process cluster can be given; docs/testing.md
// lists them with the tests that run them.
var Faults = []Fault{
	{"isolate-leader", 3, func(n *Nemesis) {
		l := n.leader()
		n.window(fmt.Sprintf("isolate leader m%d", l+1), faultTime, func() { n.C.Isolate(l) }, n.C.Heal)
	}},
	{"isolate-follower", 3, func(n *Nemesis) {
		f := n.follower(n.leader())
		n.window(fmt.Sprintf("isolate follower m%d", f+1), faultTime, func() { n.C.Isolate(f) }, n.C.Heal)
	}},
	{"partition-leader-in-minority", 3, func(n *Nemesis) {
		minority, majority := n.split(true)
		n.window(fmt.Sprintf("partition %v | %v", names(minority), names(majority)), faultTime,
			func() { n.C.Partition(minority, majority) }, n.C.Heal)
	}},
	{"partition-leader-in-majority", 3, func(n *Nemesis) {
		minority, majority := n.split(false)
		n.window(fmt.Sprintf("partition %v | %v", names(minority), names(majority)), faultTime,
			func() { n.C.Partition(minority, majority) }, n.C.Heal)
	}},
	{"one-way-from-leader", 3, func(n *Nemesis) {
		l := n.leader()
		n.window(fmt.Sprintf("leader m%d's messages lost, it still hears the others", l+1), faultTime, func() {
			for j := range n.C.Size() {
				if j != l {
					n.C.BlockOneWay(l, j)
				}
			}
		}, n.C.Heal)
	}},
	{"one-way-to-leader", 3, func(n *Nemesis) {
		l := n.leader()
		n.window(fmt.Sprintf("messages to leader m%d lost, it still sends", l+1), faultTime, func() {
			for j := range n.C.Size() {
				if j != l {
					n.C.BlockOneWay(j, l)
				}
			}
		}, n.C.Heal)
	}},
	{"flaky-links", 3, flakyLinks},
	{"message-drop", 3, messageFaults("drop 30% of raft messages", cluster.MessageFaults{Drop: 0.3})},
	{"message-duplication", 3, messageFaults("deliver 50% of raft messages twice", cluster.MessageFaults{Duplicate: 0.5})},
	{"message-delay", 3, messageFaults("delay every raft message 0-100ms (reordering them)", cluster.MessageFaults{Delayed: 1, MaxDelay: 100 * time.Millisecond})},
	{"message-chaos", 3, messageFaults("drop 10%, duplicate 20%, delay 30% by up to 50ms", cluster.MessageFaults{Drop: 0.1, Duplicate: 0.2, Delayed: 0.3, MaxDelay: 50 * time.Millisecond})},
	{"kill-leader", 1, func(n *Nemesis) {
		l := n.leader()
		n.window(fmt.Sprintf("kill -9 leader m%d, restart", l+1), faultTime, func() { n.C.Kill(l) }, func() { n.restart(l) })
	}},
	{"kill-follower", 3, func(n *Nemesis) {
		f := n.follower(n.leader())
		n.window(fmt.Sprintf("kill -9 follower m%d, restart", f+1), faultTime, func() { n.C.Kill(f) }, func() { n.restart(f) })
	}},
	{"kill-all", 1, func(n *Nemesis) {
		n.window("kill -9 every member, restart", 300*time.Millisecond, n.C.KillAll, func() {
			for i := range n.C.Size() {
				n.restart(i)
			}
		})
	}},
	{"crash-leader-losing-unsynced", 1, func(n *Nemesis) {
		l := n.leader()
		var what string
		n.window(fmt.Sprintf("power failure of leader m%d (unsynced writes lost), restart", l+1), faultTime,
			func() { what = n.C.Crash(l, n.Rng) }, func() { n.restart(l) })
		n.Note("nemesis", n.Rec.Now(), what)
	}},
	{"power-failure", 1, func(n *Nemesis) {
		var what []string
		n.window("power failure of every member (unsynced writes lost), restart", 300*time.Millisecond,
			func() { what = n.C.CrashAll(n.Rng) }, func() {
				for i := range n.C.Size() {
					n.restart(i)
				}
			})
		n.Note("nemesis", n.Rec.Now(), strings.Join(what, "; "))
	}},
	{"restart-in-turn", 3, func(n *Nemesis) {
		for i := range n.C.Size() {
			n.window(fmt.Sprintf("stop m%d gracefully, restart", i+1), 400*time.Millisecond,
				func() { n.C.Stop(i) }, func() { n.restart(i) })
		}
	}},
	{"membership-replace", 3, replaceFollower},
	{"pause-leader", 3, func(n *Nemesis) { pauseLoop(n, n.leader(), "leader") }},
	{"pause-follower", 3, func(n *Nemesis) { pauseLoop(n, n.follower(n.leader()), "follower") }},
	{"pause-leader-unaware", 3, pauseUnawareLeader},
	{"clock-skew", 3, func(n *Nemesis) {
		l := n.leader()
		f := n.follower(l)
		n.window(fmt.Sprintf("clocks: leader m%d +10s, follower m%d -10s", l+1, f+1), 2*faultTime, func() {
			n.C.SkewClock(l, 10*time.Second)
			n.C.SkewClock(f, -10*time.Second)
		}, func() {
			n.C.SkewClock(l, 0)
			n.C.SkewClock(f, 0)
		})
	}},
}

// pauseLoop stops member i's raft loop for faultTime, three election
// timeouts, as a disk hanging in fsync or a long GC or VM pause would. A
// paused leader is replaced, and wakes up still believing it leads, with
// quorum reads and proposals waiting for it (etcd #20418): they must not
// be answered from its stale state. A paused follower must catch up from
// the messages that waited for it.
func pauseLoop(n *Nemesis, i int, role string) {
	n.window(fmt.Sprintf("pause %s m%d's raft loop", role, i+1), faultTime,
		func() { n.pause(i) }, func() {}) // the pause ends by itself
}

// pauseUnawareLeader pauses the leader as pauseLoop does, but the leader
// also hears nothing from the others until half a second after it resumes.
// Plainly paused, it finds the new leader's messages waiting and steps down
// before it does anything else; here it acts as a leader in its old term
// for a while: quorum reads it takes then must wait for a quorum it cannot
// get, never be answered from its own state (as a lease that counts ticks,
// and so misses the pause, would allow).
func pauseUnawareLeader(n *Nemesis) {
	l := n.leader()
	n.window(fmt.Sprintf("pause leader m%d's raft loop; it hears from no one until 0.5s after it resumes", l+1),
		faultTime+500*time.Millisecond, func() {
			for j := range n.C.Size() {
				if j != l {
					n.C.BlockOneWay(j, l)
				}
			}
			n.pause(l)
		}, n.C.Heal)
}

// pause stops member i's raft loop for faultTime.
func (n *Nemesis) pause(i int) {
	if !n.C.Pause(i, faultTime) {
		n.fail(fmt.Errorf("m%d is down: its raft loop cannot be paused", i+1))
	}
}

// replaceFollower adds a member at runtime, then removes a follower, so
// the cluster keeps its size with a new member in it (Jepsen's grow and
// shrink).
func replaceFollower(n *Nemesis) {
	start := n.Rec.Now()
	ctx, cancel := context.WithTimeout(n.Ctx, 20*time.Second)
	defer cancel()
	added, err := n.C.AddMember(ctx)
	if err != nil {
		n.fail(err)
		return
	}
	n.Note("nemesis", start, fmt.Sprintf("add member m%d", added+1))
	n.sleep(faultTime / 2)
	start = n.Rec.Now()
	var f int
	for f = n.follower(n.leader()); f == added; f = n.follower(n.leader()) {
	}
	if err := n.C.RemoveMember(ctx, f); err != nil {
		n.fail(err)
		return
	}
	n.Note("nemesis", start, fmt.Sprintf("remove follower m%d", f+1))
}

// snapshotCatchUp cuts a follower off until the leader has applied far
// more entries than --snapshot-count past it (so it snapshotted and
// compacted its log past the follower), then heals: the follower must catch
// up by receiving a snapshot (etcd's "blackhole until snapshot"). It needs
// a low --snapshot-count (at most 500).
func snapshotCatchUp(n *Nemesis) {
	l := n.leader()
	f := n.follower(l)
	fs := n.C.Member(f).Server()
	if fs == nil {
		n.fail(fmt.Errorf("follower m%d is down", f+1))
		return
	}
	before := n.snapshotsSentTo(f)
	start := n.Rec.Now()
	n.C.Isolate(f)
	deadline := time.Now().Add(15 * time.Second)
	for n.leaderApplied(f) < fs.AppliedIndex()+1000 && time.Now().Before(deadline) && n.Ctx.Err() == nil {
		n.sleep(20 * time.Millisecond)
	}
	n.C.Heal()
	n.Note("nemesis", start, fmt.Sprintf("isolate follower m%d until the leader is 1000 entries ahead, heal", f+1))
	deadline = time.Now().Add(10 * time.Second)
	for n.snapshotsSentTo(f) == before {
		if time.Now().After(deadline) || n.Ctx.Err() != nil {
			n.fail(fmt.Errorf("follower m%d caught up without a snapshot", f+1))
			return
		}
		n.sleep(20 * time.Millisecond)
	}
}

// snapshotsSentTo counts the snapshots every running member has sent to
// member f.
func (n *Nemesis) snapshotsSentTo(f int) uint64 {
	var sum uint64
	for i := range n.C.Size() {
		if s := n.C.Member(i).Server(); s != nil && i != f {
			sum += s.Transport().Stats()[n.C.Member(f).ID()].SnapshotsSent
		}
	}
	return sum
}

// leaderApplied is the applied index of the leader the members other than
// f agree on (0 if none).
func (n *Nemesis) leaderApplied(f int) uint64 {
	var others []int
	for i := range n.C.Size() {
		if i != f {
			others = append(others, i)
		}
	}
	if l := n.C.Leader(others...); l >= 0 {
		if s := n.C.Member(l).Server(); s != nil {
			return s.AppliedIndex()
		}
	}
	return 0
}

// messageFaults applies per-message faults to every raft stream for twice
// the usual fault time.
func messageFaults(desc string, f cluster.MessageFaults) func(n *Nemesis) {
	return func(n *Nemesis) {
		n.window(desc, 2*faultTime, func() { n.C.SetMessageFaults(&f) }, func() { n.C.SetMessageFaults(nil) })
	}
}

// flakyLinks drops messages at random: for a while, every few milliseconds
// one link (one direction) is cut and another healed, so about a third of
// the links lose their traffic at any moment. It stands in for random
// link failures in bursts, beside the per-message faults.
func flakyLinks(n *Nemesis) {
	start := n.Rec.Now()
	size := n.C.Size()
	deadline := time.Now().Add(2 * faultTime)
	for time.Now().Before(deadline) && n.Ctx.Err() == nil {
		n.C.Heal()
		for range size {
			a, b := n.Rng.IntN(size), n.Rng.IntN(size)
			if a != b {
				n.C.BlockOneWay(a, b)
			}
		}
		n.sleep(time.Duration(10+n.Rng.IntN(40)) * time.Millisecond)
	}
	n.C.Heal()
	n.Note("nemesis", start, "flaky links: random one-way links cut for 10-50ms at a time")
}

// split divides the members into a minority and a majority, with the
// leader in the minority or in the majority.
func (n *Nemesis) split(leaderInMinority bool) (minority, majority []int) {
	l := n.leader()
	size := n.C.Size()
	perm := n.Rng.Perm(size)
	for i, p := range perm {
		if p == l {
			perm[0], perm[i] = perm[i], perm[0]
		}
	}
	small := (size - 1) / 2
	if leaderInMinority {
		return perm[:small], perm[small:]
	}
	return perm[size-small:], perm[:size-small]
}

func names(ms []int) []string {
	var out []string
	for _, m := range ms {
		out = append(out, fmt.Sprintf("m%d", m+1))
	}
	return out
}
