package server

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"skiff/raft"
	"skiff/raft/raftpb"
	"skiff/server/v2http"
	"skiff/store"
)

// proposal is something on its way into the raft loop: a command's encoding
// (data; a failure is delivered to the wait registry under id), or, answered
// on errc, a read-index request (read, its context), a configuration change
// (conf) or a leadership transfer.
type proposal struct {
	data     []byte
	id       uint64 // a command's request ID: its failure goes to the wait registry
	read     []byte
	conf     *raftpb.ConfChange
	transfer uint64 // a leadership transfer to this member
	errc     chan error
}

// requestIDs hands out the IDs commands are matched to their requests by.
// As etcd's idutil does, an ID is the low 16 bits of the member ID, then 40
// bits of the start time in milliseconds, then a counter: unique across
// members and across restarts of one member.
type requestIDs struct {
	prefix uint64
	next   atomic.Uint64
}

func (g *requestIDs) init(memberID uint64, now time.Time) {
	g.prefix = memberID << 48
	g.next.Store(uint64(now.UnixMilli()) & (1<<40 - 1) << 8)
}

func (g *requestIDs) newID() uint64 {
	return g.prefix | g.next.Add(1)&(1<<48-1)
}

// Do proposes a v2 keys write (PUT, POST, DELETE) through raft and returns
// the store's event once the entry is applied on this member. The request is
// stamped with this member's clock for its TTL. A GET is a quorum read:
// LinearizableRead, then the local store.
//
// Errors: a *store.Error from the store (a key error, for instance);
// v2http.ErrTimeout when the request timed out (contract §1.11: 5 s +
// 2×election timeout), v2http.ErrNoLeader when it timed out with no leader
// known; a 300 *store.Error when the member is stopping; ctx.Err() when the
// caller gave up first.
func (s *Server) Do(ctx context.Context, r *store.Request) (*store.Event, error) {
	if r.Method == store.MethodGet {
		if err := s.LinearizableRead(ctx); err != nil {
			return nil, err
		}
		return s.store.Get(r.Namespace, r.Key, r.Recursive, r.Sorted, s.now())
	}
	cmd := Command{ID: s.reqIDs.newID(), Kind: CommandRequest, Request: *r}
	if cmd.Request.Time.IsZero() {
		cmd.Request.Time = s.now()
	}
	return s.proposeAndWait(ctx, &cmd)
}

// proposeAndWait proposes cmd and waits for the result of its apply.
//
// The hand-off is one buffered send: the raft loop takes the proposal when
// it next turns over (maybe after an fsync), and its outcome — the apply's
// result, or raft.ErrProposalDropped while no leader is known — arrives
// through the wait registry under cmd.ID. A dropped proposal is proposed
// again once a leader is known, as etcd's proposals wait for one.
func (s *Server) proposeAndWait(ctx context.Context, cmd *Command) (*store.Event, error) {
	data, err := cmd.Marshal()
	if err != nil {
		return nil, store.ErrRaftInternal(err.Error(), s.store.Index())
	}
	start := time.Now()
	ctx, cancel := s.withRequestTimeout(ctx)
	defer cancel()
	for {
		leaderc := s.leaderChanged()
		resc := s.waits.register(cmd.ID)
		select {
		case s.propc <- proposal{data: data, id: cmd.ID}:
		case <-ctx.Done():
			return nil, s.proposalFailed(ctx, cmd.ID, ctx.Err())
		case <-s.stopping:
			return nil, s.proposalFailed(ctx, cmd.ID, ErrStopped)
		}
		var res result
		select {
		case res = <-resc:
			s.waits.release(resc)
		case <-ctx.Done():
			return nil, s.proposalFailed(ctx, cmd.ID, ctx.Err())
		}
		if !errors.Is(res.err, raft.ErrProposalDropped) {
			if errors.Is(res.err, ErrStopped) {
				return nil, s.proposalFailed(ctx, cmd.ID, res.err)
			}
			s.metrics.proposalLatency.Observe(time.Since(start).Seconds())
			return res.event, res.err
		}
		select {
		case <-leaderc:
		case <-time.After(s.cfg.HeartbeatInterval):
		case <-ctx.Done():
			return nil, s.proposalFailed(ctx, cmd.ID, ctx.Err())
		case <-s.stopping:
			return nil, s.proposalFailed(ctx, cmd.ID, ErrStopped)
		}
	}
}

// withRequestTimeout bounds ctx by the request timeout, unless the caller's
// deadline is already sooner (v2http sets its own): one timer per request.
func (s *Server) withRequestTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= s.requestTimeout() {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.requestTimeout())
}

// proposalFailed forgets a request that gives up and returns its error.
func (s *Server) proposalFailed(ctx context.Context, id uint64, err error) error {
	s.waits.cancel(id)
	s.metrics.proposalsFailed.Inc()
	return s.proposeError(ctx, err)
}

// propose hands a command's encoding to the raft loop.
func (s *Server) propose(ctx context.Context, data []byte) error {
	return s.proposeToLoop(ctx, proposal{data: data})
}

// proposeToLoop hands p to the raft loop. While no leader is known raft
// drops proposals (and refuses a second configuration change while one is
// pending); proposeToLoop then waits for a leader or a heartbeat interval
// and tries again, as etcd's proposals wait, until ctx ends.
func (s *Server) proposeToLoop(ctx context.Context, p proposal) error {
	for {
		leaderc := s.leaderChanged()
		p.errc = make(chan error, 1)
		select {
		case s.propc <- p:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.stopping:
			return ErrStopped
		}
		var err error
		select {
		case err = <-p.errc:
		case <-s.loopDone:
			return ErrStopped
		}
		if !errors.Is(err, raft.ErrProposalDropped) && !errors.Is(err, raft.ErrConfChangePending) {
			return err
		}
		select {
		case <-leaderc:
		case <-time.After(s.cfg.HeartbeatInterval):
		case <-ctx.Done():
			return ctx.Err()
		case <-s.stopping:
			return ErrStopped
		}
	}
}

// proposeError turns why a proposal failed into the error the client API
// writes: v2http.ErrTimeout (300, contract §1.11) for a timeout while a leader
// is known, v2http.ErrNoLeader (301) when none is, 300 for a stopping member.
// A caller that cancelled its own context gets that context's error.
func (s *Server) proposeError(ctx context.Context, err error) error {
	var se *store.Error
	switch {
	case errors.As(err, &se):
		return se
	case errors.Is(err, v2http.ErrNoLeader), errors.Is(err, v2http.ErrTimeout):
		return err
	case errors.Is(err, ErrStopped):
		return store.ErrRaftInternal(ErrStopped.Error(), s.store.Index())
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
		if _, ok := s.Leader(); !ok {
			return v2http.ErrNoLeader
		}
		return v2http.ErrTimeout
	case errors.Is(err, context.Canceled):
		return err
	}
	return store.ErrRaftInternal(err.Error(), s.store.Index())
}
