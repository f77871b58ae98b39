package server

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

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
	clusterID, members, err := s.fetchClusterMembers(urlsMap)
	if err != nil {
		return err
	}
	if len(members) != len(urlsMap) {
		return fmt.Errorf("member count is unequal: --initial-cluster lists %d members but the cluster has %d; list every member (skiffctl member list shows them)",
			len(urlsMap), len(members))
	}
	self := membership.URLStrings(s.cfg.InitialAdvertisePeerURLs)
	slices.Sort(self)
	var selfID uint64
	for _, m := range members {
		urls := slices.Sorted(slices.Values(m.PeerURLs))
		if slices.Equal(urls, self) {
			selfID = m.ID
		}
	}
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
// for the cluster's member list, returning the first answer.
func (s *Server) fetchClusterMembers(urlsMap membership.URLsMap) (uint64, []transport.Member, error) {
	client := &http.Client{Timeout: s.requestTimeout()}
	if tlsCfg, err := s.peerDialTLS(); err != nil {
		return 0, nil, err
	} else if tlsCfg != nil {
		client.Transport = &http.Transport{TLSClientConfig: tlsCfg}
	}
	var errs []string
	for _, name := range urlsMap.Names() {
		if name == s.cfg.Name {
			continue
		}
		for _, u := range urlsMap[name] {
			ctx, cancel := context.WithTimeout(context.Background(), s.requestTimeout())
			clusterID, members, err := transport.FetchMembers(ctx, client, u)
			cancel()
			if err == nil {
				return clusterID, members, nil
			}
			errs = append(errs, fmt.Sprintf("%s: %v", u, err))
		}
	}
	return 0, nil, fmt.Errorf("cannot get the member list from any other member in --initial-cluster (%s); check that the cluster is up and the URLs are right",
		strings.Join(errs, "; "))
}
