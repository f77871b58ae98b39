package server

import (
	"context"
	"net/http"
	"slices"
	"time"

	"skiff/raft"
)

// drainTimeout bounds how long Stop waits for in-flight client requests.
// Long-polling watches never finish by themselves; they are cut after it.
const drainTimeout = 2 * time.Second

// Stop stops the member gracefully: a leader first hands leadership to a
// follower (when raft supports it), the client listeners stop accepting and
// in-flight requests finish (up to drainTimeout), then the raft loop stops,
// the transport closes, and the WAL is flushed and closed. It returns the
// error that stopped the member earlier, if any.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() { s.shutdown(true) })
	<-s.done
	return s.Err()
}

// Kill stops the member as kill -9 would, for crash tests: listeners and
// connections are closed at once, in-flight requests fail, and nothing more
// is synced (wal.CloseWithoutSync); what is durable is what the WAL's last
// fsync made durable. The files are closed so that the same process can
// restart the member from its data dir. With Options.FS a vfs.MemFS, the
// unsynced writes can then be dropped as a power loss would.
func (s *Server) Kill() {
	s.killed.Store(true)
	s.stopOnce.Do(func() { s.shutdown(false) })
	<-s.done
}

// fail stops the member because of an error it cannot recover from. It is
// called from the raft loop, so the stop runs in a goroutine of its own.
func (s *Server) fail(err error) {
	s.errMu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.errMu.Unlock()
	s.lg.Error("member stopping", "member", hexID(s.id), "err", err)
	go s.stopOnce.Do(func() { s.shutdown(false) })
}

// shutdown takes the member down; graceful says whether in-flight work may
// finish first.
func (s *Server) shutdown(graceful bool) {
	defer close(s.done)
	close(s.closing)
	if graceful {
		s.transferLeadership()
		s.drainClients()
	} else {
		closeServers(s.clientServers)
	}
	close(s.stopping)
	if s.node != nil && s.startedLoop() {
		<-s.loopDone
	}
	s.bgWG.Wait()
	s.waits.failAll(ErrStopped)
	s.appliedW.stop()
	closeListeners(s.peerLns) // still open only if Start never ran
	closeListeners(s.clientLns)
	closeServers(s.peerServers)
	if s.transport != nil {
		s.transport.Stop()
	}
	if s.wal != nil {
		if s.killed.Load() {
			s.wal.CloseWithoutSync()
		} else if err := s.wal.Close(); err != nil {
			s.lg.Warn("closing the WAL", "err", err)
		}
	}
	s.lg.Info("member stopped", "member", hexID(s.id), "graceful", graceful)
}

// startedLoop reports whether Start ran the raft loop.
func (s *Server) startedLoop() bool {
	return s.loopRunning.Load()
}

// drainClients stops accepting client requests and waits for those in
// flight, which need the raft loop still running to complete.
func (s *Server) drainClients() {
	ctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	for _, srv := range s.clientServers {
		if err := srv.Shutdown(ctx); err != nil {
			srv.Close()
		}
	}
}

func closeServers(srvs []*http.Server) {
	for _, srv := range srvs {
		srv.Close()
	}
}

// transferLeadership hands leadership to the most up-to-date active
// follower before a leader stops (thesis §3.10), so the cluster does not sit
// an election timeout without a leader. It waits up to an election timeout
// until this member hears from the new leader; if none takes over, the stop
// goes on anyway.
func (s *Server) transferLeadership() {
	if !s.IsLeader() || !s.loopRunning.Load() {
		return
	}
	target := transferTarget(s.RaftStatus(), s.id, s.transport.IsActive)
	if target == 0 {
		return
	}
	changed := s.leaderChanged()
	p := proposal{transfer: target, errc: make(chan error, 1)}
	select {
	case s.propc <- p:
	case <-s.loopDone:
		return
	}
	if err := <-p.errc; err != nil {
		s.lg.Warn("leadership transfer refused; stopping anyway", "to", hexID(target), "err", err)
		return
	}
	s.lg.Info("handing leadership over before stopping", "to", hexID(target))
	deadline := time.After(s.cfg.ElectionTimeout)
	for {
		if lead, ok := s.Leader(); ok && uint64(lead) != s.id {
			return
		}
		select {
		case <-changed:
			changed = s.leaderChanged()
		case <-deadline:
			return
		}
	}
}

// transferTarget picks the voter with the highest match index among those
// raft heard from recently and the transport is connected to.
func transferTarget(st raft.Status, self uint64, connected func(uint64) bool) uint64 {
	var best, bestMatch uint64
	for id, pr := range st.Progress {
		if id == self || pr.IsLearner || !pr.RecentActive || !connected(id) || !slices.Contains(st.Config.Voters, id) {
			continue
		}
		if best == 0 || pr.Match > bestMatch || (pr.Match == bestMatch && id < best) {
			best, bestMatch = id, pr.Match
		}
	}
	return best
}
