package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"skiff/transport"
)

// errRemoved is why a member stops once it learns it was removed.
var errRemoved = errors.New("this member was removed from the cluster; to bring the machine back, remove its data dir and add it as a new member")

// removalWatch notices that this member was removed when it could not apply
// its own removal: the leader stops replicating to a member as soon as its
// removal commits, so the removed member may never see that entry. While it
// has no leader, it asks the other members for their member list every
// election timeout; a list of this cluster without this member means it was
// removed, and it stops (as etcd's removed members do). A learner asks even
// while it knows a leader: it never campaigns, so it would keep waiting for
// a leader that stopped sending to it (promote.go).
func (s *Server) removalWatch() {
	defer s.bgWG.Done()
	client := &http.Client{Timeout: s.cfg.ElectionTimeout}
	if tlsCfg, err := s.peerDialTLS(); err == nil && tlsCfg != nil {
		client.Transport = &http.Transport{TLSClientConfig: tlsCfg}
	}
	ticker := time.NewTicker(2 * s.cfg.ElectionTimeout)
	defer ticker.Stop()
	for {
		select {
		case <-s.closing:
			return
		case <-ticker.C:
		}
		if _, ok := s.Leader(); ok && !s.isLearner() {
			continue
		}
		if s.removedPerPeers(client) {
			s.fail(errRemoved)
			return
		}
	}
}

// removedPerPeers reports whether a reachable member of this cluster lists
// the members without this one.
func (s *Server) removedPerPeers(client *http.Client) bool {
	for _, m := range s.Members() {
		if uint64(m.ID) == s.id {
			continue
		}
		for _, u := range m.PeerURLs {
			ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ElectionTimeout)
			clusterID, members, err := transport.FetchMembers(ctx, client, u)
			cancel()
			if err != nil || clusterID != s.clusterID || len(members) == 0 {
				continue
			}
			for _, pm := range members {
				if pm.ID == s.id {
					return false
				}
			}
			return true
		}
	}
	return false
}
