package server

import (
	"context"
	"time"

	"skiff/server/membership"
	"skiff/store"
	"skiff/transport"
)

// syncInterval is how often the leader proposes the TTL sweep while the store
// holds TTL keys: etcd's 500 ms (contract §1.10), so a key outlives its
// expiration by at most about that.
const syncInterval = 500 * time.Millisecond

// publishLoop publishes this member's name and client URLs through raft
// (contract §8 step 4), retrying until it succeeds or the member stops. As
// etcd's publish, it does so on every start, so each start takes one store
// index. Until then /v2/members shows the member unstarted.
func (s *Server) publishLoop() {
	defer s.bgWG.Done()
	attrs := Attributes{MemberID: s.id, Name: s.cfg.Name, ClientURLs: membership.URLStrings(s.cfg.AdvertiseClientURLs)}
	for {
		cmd := Command{ID: s.reqIDs.newID(), Kind: CommandPublish, Member: attrs}
		ctx, cancel := context.WithTimeout(context.Background(), s.requestTimeout())
		_, err := s.proposeAndWait(ctx, &cmd)
		cancel()
		if err == nil {
			s.lg.Info("published member attributes", "member", hexID(s.id), "name", attrs.Name, "client-urls", attrs.ClientURLs)
			return
		}
		s.lg.Warn("publishing member attributes failed; retrying", "err", err)
		select {
		case <-s.stopping:
			return
		case <-time.After(s.cfg.HeartbeatInterval):
		}
	}
}

// syncLoop proposes the TTL sweep every syncInterval while this member leads
// and the store holds TTL keys (contract §1.10). Every member applies it
// with the leader's time, so all expire the same keys at the same index.
func (s *Server) syncLoop() {
	defer s.bgWG.Done()
	ticker := time.NewTicker(syncInterval)
	defer ticker.Stop()
	for {
		select {
		case <-s.stopping:
			return
		case <-ticker.C:
		}
		if !s.IsLeader() {
			continue
		}
		s.maybeSetClusterVersion()
		if !s.store.HasTTLKeys() {
			continue
		}
		cmd := Command{ID: s.reqIDs.newID(), Kind: CommandSync, Time: s.now()}
		ctx, cancel := context.WithTimeout(context.Background(), syncInterval)
		data, err := cmd.Marshal()
		if err == nil {
			err = s.propose(ctx, data)
		}
		cancel()
		if err != nil {
			s.lg.Debug("proposing the TTL sweep failed", "err", err)
		}
	}
}

// clusterVersionKey holds the cluster's version in the store's /0
// namespace, as etcd's leader records it once the members have started
// (contract §1.11: one of the internal writes before any user write).
const clusterVersionKey = "/version"

// maybeSetClusterVersion records the cluster version if it is not there yet.
func (s *Server) maybeSetClusterVersion() {
	want := transport.DefaultVersion.Cluster
	ev, err := s.store.Get(store.Cluster, clusterVersionKey, false, false, time.Time{})
	if err == nil && ev.Node != nil && ev.Node.Value != nil && *ev.Node.Value == want {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), syncInterval)
	defer cancel()
	req := store.Request{Method: store.MethodPut, Namespace: store.Cluster, Key: clusterVersionKey, Value: want}
	if _, err := s.Do(ctx, &req); err != nil {
		s.lg.Debug("recording the cluster version failed; retrying", "err", err)
		return
	}
	s.lg.Info("set the cluster version", "version", want)
}
