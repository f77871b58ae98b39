package server

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"skiff/server/config"
	"skiff/server/membership"
	"skiff/transport"
	"skiff/wal"
)

// Joining a running cluster (--initial-cluster-state existing, contract §8):
//
//  1. an operator adds the member first (POST /v2/members, skiffctl member
//     add), which commits a configuration change with the new member's ID;
//  2. the new member asks the members listed in --initial-cluster for their
//     member list (the peer endpoint GET /members), checks it against
//     --initial-cluster and adopts the cluster ID and its own ID from it;
//  3. it starts raft with an empty log and no configuration, so it cannot
//     campaign, and waits for the leader;
//  4. every member, on applying the addition, makes sure its raft log no
//     longer starts at index 1 (maybeSnapshot, joinSnapshot): skiff's initial
//     configuration is not in the log but in each founding member's storage,
//     so a newcomer must receive it in a snapshot, never by replaying the log
//     from the start;
//  5. the snapshot gives it the configuration, the store and the member
//     list; then it publishes its name and client URLs like any member.

// bootstrapJoin prepares a member that joins a running cluster.
func (s *Server) bootstrapJoin(dirs config.Dirs) error {
	urlsMap, err := s.cfg.InitialClusterMap()
	if err != nil {
		return err
	}
	self := membership.URLStrings(s.cfg.InitialAdvertisePeerURLs)
	slices.Sort(self)
	clusterID, members, err := s.fetchClusterMembers(urlsMap, self)
	if err != nil {
		return err
	}
	if len(members) != len(urlsMap) {
		return fmt.Errorf("member count is unequal: --initial-cluster lists %d members but the cluster has %d; list every member (skiffctl member list shows them)",
			len(urlsMap), len(members))
	}
	selfID := memberWithURLs(members, self)
	if selfID == 0 {
		return fmt.Errorf("the cluster has no member with peer URLs %s; add this member first (skiffctl member add %s %s), then start it",
			strings.Join(self, ","), s.cfg.Name, strings.Join(self, ","))
	}
	s.meta = metadata{MemberID: selfID, ClusterID: clusterID}
	s.id, s.clusterID = selfID, clusterID
	s.joinMembers = members
	w, err := wal.Create(dirs.WAL, s.meta.marshal(), s.walOptions())
	if err != nil {
		return fmt.Errorf("cannot create the WAL in %s: %w; check --data-dir (or --wal-dir) and its permissions", dirs.WAL, err)
	}
	s.wal = w
	s.lg.Info("joining a running cluster", "member", hexID(s.id), "cluster", hexID(s.clusterID), "members", len(members))
	return nil
}

// fetchClusterMembers asks the other members listed in --initial-cluster
// for the cluster's member list. Members learn of an addition when they
// apply it, so one may not list this member yet: it keeps asking, up to the
// request timeout, until a list includes this member's peer URLs, and then
// returns the last list it got.
func (s *Server) fetchClusterMembers(urlsMap membership.URLsMap, self []string) (uint64, []transport.Member, error) {
	client := &http.Client{Timeout: s.requestTimeout()}
	if tlsCfg, err := s.peerDialTLS(); err != nil {
		return 0, nil, err
	} else if tlsCfg != nil {
		client.Transport = &http.Transport{TLSClientConfig: tlsCfg}
	}
	deadline := time.Now().Add(s.requestTimeout())
	var lastID uint64
	var last []transport.Member
	var errs []string
	for {
		for _, u := range s.otherPeerURLs(urlsMap) {
			ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ElectionTimeout)
			clusterID, members, err := transport.FetchMembers(ctx, client, u)
			cancel()
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s: %v", u, err))
				continue
			}
			if memberWithURLs(members, self) != 0 {
				return clusterID, members, nil
			}
			lastID, last = clusterID, members
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(s.cfg.HeartbeatInterval)
	}
	if last != nil {
		return lastID, last, nil
	}
	return 0, nil, fmt.Errorf("cannot get the member list from any other member in --initial-cluster (%s); check that the cluster is up and the URLs are right",
		strings.Join(errs, "; "))
}

// otherPeerURLs lists the peer URLs of every member in --initial-cluster
// but this one.
func (s *Server) otherPeerURLs(urlsMap membership.URLsMap) []string {
	var urls []string
	for _, name := range urlsMap.Names() {
		if name != s.cfg.Name {
			urls = append(urls, urlsMap[name]...)
		}
	}
	return urls
}

// memberWithURLs returns the ID of the member whose peer URLs are urls
// (sorted), or 0.
func memberWithURLs(members []transport.Member, urls []string) uint64 {
	for _, m := range members {
		if slices.Equal(slices.Sorted(slices.Values(m.PeerURLs)), urls) {
			return m.ID
		}
	}
	return 0
}
