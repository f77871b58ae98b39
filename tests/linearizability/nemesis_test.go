package linearizability

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"skiff/tests/cluster"
)

// After a follower is removed (the replace-follower fault), the faults that
// pick a follower never pick it: snapshot catch-up once did, and failed the
// soak with "follower m3 is down".
func TestNemesisNeverPicksARemovedFollower(t *testing.T) {
	c := cluster.New(t, cluster.Config{Size: 3})
	lead := c.WaitLeader()
	removed := (lead + 1) % 3
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.RemoveMember(ctx, removed); err != nil {
		t.Fatalf("removing m%d: %v", removed+1, err)
	}
	n := &Nemesis{C: c, Rng: rand.New(rand.NewPCG(1, 2)), Rec: NewRecorder(), Ctx: ctx}
	for range 100 {
		if f := n.follower(lead); f == removed || f == lead {
			t.Fatalf("follower(%d) = m%d; m%d was removed", lead, f+1, removed+1)
		}
	}
}
