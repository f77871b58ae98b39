package server

import (
	"fmt"
	"time"

	"skiff/raft/raftpb"
	"skiff/store"
)

// applyEntries applies committed entries to the store in log order and wakes
// the requests waiting for them (invariant 2 of Server). Entries at or below
// the applied index (already in a snapshot the store was restored from) are
// skipped.
func (s *Server) applyEntries(ents []raftpb.Entry) error {
	for _, e := range ents {
		if e.Index <= s.applied.Load() {
			continue
		}
		start := time.Now()
		switch e.Type {
		case raftpb.EntryNormal:
			s.applyNormal(e)
		case raftpb.EntryConfChange:
			if err := s.applyConfChange(e); err != nil {
				return err
			}
		}
		s.applied.Store(e.Index)
		s.metrics.applyDuration.Observe(time.Since(start).Seconds())
		s.metrics.appliedIndex.Set(float64(e.Index))
	}
	return nil
}

// applyNormal applies one command. An empty entry is a new leader's no-op
// (§5.4.2). An entry that does not decode cannot come from a skiff member;
// it is logged and skipped on every member alike, so the stores still agree.
func (s *Server) applyNormal(e raftpb.Entry) {
	if len(e.Data) == 0 {
		return
	}
	var cmd Command
	if err := cmd.Unmarshal(e.Data); err != nil {
		s.lg.Error("skipping an entry that does not decode", "index", e.Index, "term", e.Term, "err", err)
		return
	}
	ev, err := s.applyCommand(&cmd)
	s.metrics.proposalsCommitted.Inc()
	s.waits.trigger(cmd.ID, result{event: ev, err: err})
}

// applyCommand runs one command against the store.
func (s *Server) applyCommand(cmd *Command) (*store.Event, error) {
	switch cmd.Kind {
	case CommandRequest:
		return s.store.Apply(&cmd.Request)
	case CommandSync:
		evs := s.store.DeleteExpiredKeys(cmd.Time)
		if len(evs) == 0 {
			return nil, nil
		}
		return evs[len(evs)-1], nil
	case CommandPublish:
		return applyPublish(s.store, cmd.Member, time.Time{})
	}
	return nil, fmt.Errorf("server: unknown command kind %v", cmd.Kind)
}
