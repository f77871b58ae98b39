package server

import (
	"time"
)

// PauseLoop is a test hook: it stops this member's raft loop for d, as a
// disk hanging in fsync or a long GC or VM pause would stop a real member.
// While paused the loop ticks nothing, steps no peer message, takes no
// proposal and handles no Ready. Everything else keeps running: peer
// messages back up in the transport (Process blocks once recvc is full, as
// a stopped process's socket buffer fills), client requests are served
// (plain reads from the store as it was; writes and quorum reads wait for
// the loop), and the values the loop published (Leader, IsLeader, Term)
// stay as they were, so a paused leader still believes it leads when it
// resumes (etcd #20418).
//
// PauseLoop returns once the loop has stopped, and false if the loop has
// ended or the member is stopping; call it on a started member. The loop resumes by itself after d, or as soon as the member
// begins to stop (Stop, Kill or a fatal error), so a stop never waits for
// the pause. The ticks missed while paused are not replayed: time.Ticker
// keeps none pending (Go 1.23's unbuffered timer channels), so the loop gets
// one tick at once on resuming and the next ones on the usual period.
func (s *Server) PauseLoop(d time.Duration) bool {
	select {
	case <-s.loopDone:
		return false
	default:
	}
	select {
	case s.pausec <- d: // one more case in the loop's select, never sent on otherwise
		return true
	case <-s.loopDone:
		return false
	case <-s.closing:
		return false
	}
}

// pause stops the raft loop (it runs on the loop's goroutine) for d, or
// until the member begins to stop: closing is closed before a graceful stop
// transfers leadership and drains the client requests, which both need the
// loop, and before Kill or a fatal error ends the loop.
func (s *Server) pause(d time.Duration) {
	s.lg.Warn("raft loop paused by a test hook", "member", hexID(s.id), "for", d)
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-s.closing:
	}
	s.lg.Warn("raft loop resumed", "member", hexID(s.id))
}
