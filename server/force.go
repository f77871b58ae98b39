package server

import (
	"context"
	"encoding/json"
	"time"

	"skiff/raft/raftpb"
	"skiff/server/membership"
	"skiff/store"
)

// --force-new-cluster (contract §9) turns a member's data dir into a
// one-member cluster: disaster recovery when a quorum is lost for good.
// The member keeps its ID, its cluster ID and all its data:
//
//  1. every entry in its WAL counts as committed (forceNewCluster), since no
//     other member is left to say otherwise;
//  2. raft starts with this member as the only voter (restoreState), and
//     configuration changes in the forced part of the log are not applied
//     again; as soon as it has applied an entry past that part (its own
//     leader no-op), it takes a snapshot, so that later restarts without the
//     flag keep the one-member configuration (maybeSnapshot);
//  3. once it leads, its own peer URLs are recorded if the store lacks them
//     (a copy made by skiffctl backup has a new member ID) and the other
//     members' records are removed from the store through raft, so
//     /v2/members shows exactly this member (fixMembersAfterForce); only then
//     does it publish its name and client URLs, so once it has published,
//     a client's member sync finds it (and never an empty list). etcd records
//     http://localhost:2380 there whatever the flags say; skiff records
//     --initial-advertise-peer-urls, whose default is that URL.

// forceNewCluster commits every entry the WAL holds.
func (s *Server) forceNewCluster(hs raftpb.HardState, ents []raftpb.Entry) (raftpb.HardState, []raftpb.Entry) {
	if n := len(ents); n > 0 && ents[n-1].Index > hs.Commit {
		hs.Commit = ents[n-1].Index
	}
	s.forcedIndex, s.forceSnapshot = hs.Commit, true
	s.lg.Warn("forcing restart as a one-member cluster", "member", hexID(s.id), "commit-index", hs.Commit)
	return hs, ents
}

// fixMembersAfterForce makes the store's member records match the
// one-member cluster.
func (s *Server) fixMembersAfterForce() {
	defer s.bgWG.Done()
	var reqs []store.Request
	if _, ok := s.Member(s.id); !ok {
		value, _ := json.Marshal(raftAttributes{PeerURLs: membership.URLStrings(s.cfg.InitialAdvertisePeerURLs)})
		reqs = append(reqs, store.Request{Method: store.MethodPut, Namespace: store.Cluster,
			Key: raftAttributesKey(s.id), Value: string(value)})
	}
	for _, m := range s.Members() {
		if uint64(m.ID) != s.id {
			reqs = append(reqs, store.Request{Method: store.MethodDelete, Namespace: store.Cluster,
				Key: membersDir + "/" + m.ID.String(), Dir: true, Recursive: true})
		}
	}
	for i := range reqs {
		if !s.doUntilStopped(&reqs[i]) {
			return
		}
	}
}

// doUntilStopped retries r until it is applied (a missing key counts as
// done) or the member stops; it reports whether it was applied.
func (s *Server) doUntilStopped(r *store.Request) bool {
	for {
		_, err := s.Do(context.Background(), r)
		if err == nil || store.Code(err) == store.EcodeKeyNotFound {
			return true
		}
		select {
		case <-s.closing:
			return false
		case <-time.After(s.cfg.HeartbeatInterval):
		}
	}
}
