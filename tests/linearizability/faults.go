package linearizability

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"

	"skiff/tests/cluster"
)

// Fault is one kind of trouble injected into a running cluster: at the
// transport (partitions through the members' Block hooks) or at the member
// (kill, restart, clock skew).
type Fault struct {
	Name    string
	MinSize int // smallest cluster it makes sense on
	Inject  func(n *Nemesis)
}

// Nemesis injects faults into a cluster and marks each one as an
// annotation on porcupine's time line.
type Nemesis struct {
	C   *cluster.Cluster
	Rng *rand.Rand
	Rec *Recorder
	Ctx context.Context

	mu    sync.Mutex
	notes []porcupine.Annotation
	errs  []error
}

// Notes are the annotations recorded so far.
func (n *Nemesis) Notes() []porcupine.Annotation {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]porcupine.Annotation(nil), n.notes...)
}

// Errs are the errors the faults met (a member that would not restart).
func (n *Nemesis) Errs() []error {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]error(nil), n.errs...)
}

// Note adds an annotation on tag ("nemesis", "leader") from start to now.
func (n *Nemesis) Note(tag string, start int64, desc string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	color := map[string]string{"nemesis": "#f4cccc", "leader": "#d9ead3"}[tag]
	n.notes = append(n.notes, porcupine.Annotation{Tag: tag, Start: start, End: n.Rec.Now(), Description: desc, BackgroundColor: color})
}

func (n *Nemesis) fail(err error) {
	n.mu.Lock()
	n.errs = append(n.errs, err)
	n.mu.Unlock()
}

// window runs do, waits d (or until the run ends), runs undo, and marks the
// interval.
func (n *Nemesis) window(desc string, d time.Duration, do, undo func()) {
	start := n.Rec.Now()
	do()
	n.sleep(d)
	undo()
	n.Note("nemesis", start, desc)
}

func (n *Nemesis) sleep(d time.Duration) {
	select {
	case <-n.Ctx.Done():
	case <-time.After(d):
	}
}

func (n *Nemesis) restart(i int) {
	if err := n.C.TryRestart(i); err != nil {
		n.fail(fmt.Errorf("restarting m%d: %w", i+1, err))
	}
}

// leader is the current leader (waiting briefly for one), or a random
// member when none is agreed on.
func (n *Nemesis) leader() int {
	for range 50 {
		if l := n.C.Leader(); l >= 0 {
			return l
		}
		n.sleep(20 * time.Millisecond)
	}
	return n.Rng.IntN(n.C.Size())
}

// follower is a random member other than lead, never one that was removed.
func (n *Nemesis) follower(lead int) int {
	// One draw over the members in index order, as before removals were
	// skipped, so a seed replays the same faults until a member is removed.
	var candidates []int
	for j := range n.C.Size() {
		if j != lead && !n.C.Removed(j) {
			candidates = append(candidates, j)
		}
	}
	return candidates[n.Rng.IntN(len(candidates))]
}

// MonitorLeader marks who leads on the "leader" tag until ctx ends.
func (n *Nemesis) MonitorLeader(ctx context.Context) {
	cur, since := -1, n.Rec.Now()
	for {
		l := n.C.Leader()
		if l != cur {
			if cur >= 0 {
				n.Note("leader", since, fmt.Sprintf("m%d leads", cur+1))
			}
			cur, since = l, n.Rec.Now()
		}
		select {
		case <-ctx.Done():
			if cur >= 0 {
				n.Note("leader", since, fmt.Sprintf("m%d leads", cur+1))
			}
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}
