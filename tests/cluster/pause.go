package cluster

import "time"

// Pause stops member i's raft loop for d (server.PauseLoop), as a disk
// hanging in fsync or a long GC or VM pause stops a real member: it neither
// ticks nor steps messages nor handles proposals, while its client API keeps
// answering (plain reads from its store as it was). It does not block for
// d: it returns once the loop has stopped, and the loop resumes on its own
// after d, or at once when the member is stopped or killed. It reports
// whether the loop was paused (false if the member is down).
func (c *Cluster) Pause(i int, d time.Duration) bool {
	s := c.list()[i].Server()
	return s != nil && s.PauseLoop(d)
}
