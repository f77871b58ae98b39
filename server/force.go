package server

import (
	"context"

	"skiff/raft/raftpb"
	"skiff/store"
)

// --force-new-cluster (contract §9) turns a member's data dir into a
// one-member cluster: disaster recovery when a quorum is lost for good.
// The member keeps its ID, its cluster ID and all its data:
//
//  1. every entry in its WAL counts as committed (forceNewCluster), since no
//     other member is left to say otherwise;
//  2. raft starts with this member as the only voter (restoreState);
//  3. once it leads, the other members' records are removed from the store
//     through raft (removeOtherMembers), so /v2/members shows one member.

// forceNewCluster commits every entry the WAL holds.
func (s *Server) forceNewCluster(hs raftpb.HardState, ents []raftpb.Entry) (raftpb.HardState, []raftpb.Entry) {
	if n := len(ents); n > 0 && ents[n-1].Index > hs.Commit {
		hs.Commit = ents[n-1].Index
	}
	s.lg.Warn("forcing restart as a one-member cluster", "member", hexID(s.id), "commit-index", hs.Commit)
	return hs, ents
}

// removeOtherMembers deletes every other member's records from the store,
// retrying until it succeeds or the member stops.
func (s *Server) removeOtherMembers() {
	defer s.bgWG.Done()
	for _, m := range s.Members() {
		if uint64(m.ID) == s.id {
			continue
		}
		req := store.Request{Method: store.MethodDelete, Namespace: store.Cluster,
			Key: membersDir + "/" + m.ID.String(), Dir: true, Recursive: true}
		for {
			_, err := s.Do(context.Background(), &req)
			if err == nil || store.Code(err) == store.EcodeKeyNotFound {
				break
			}
			select {
			case <-s.stopping:
				return
			default:
			}
		}
	}
}
