package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"skiff/raft/raftpb"
	"skiff/server/membership"
	"skiff/server/v2http"
	"skiff/store"
)

// Membership changes are raft configuration changes (thesis §4.1, one member
// at a time). The entry's Context carries the member's peer URLs; applying
// it updates raft's configuration, the member records in the store's /0
// namespace and the transport's peers, on every member alike.

// removedDir records removed members, as etcd's /0/removed_members: a removed
// ID can never come back, and its messages are refused (410).
const removedDir = "/removed_members"

// confContext is the Context of a configuration change entry.
type confContext struct {
	PeerURLs []string `json:"peerURLs"`
}

// AddMember adds a member with the given peer URLs (canonical and sorted by
// the caller). Its ID is derived from the URLs and the current time, as etcd
// does for a runtime addition (contract §8). It joins as a raft learner
// (thesis §4.2.1), so a member that is slow or not started yet never counts
// toward a quorum; the leader promotes it to a voter once it has caught up
// (promote.go). /v2/members lists it as usual either way.
func (s *Server) AddMember(ctx context.Context, peerURLs []string) (membership.Member, error) {
	if err := s.checkPeerURLsFree(peerURLs, 0); err != nil {
		return membership.Member{}, err
	}
	now := s.now()
	m := membership.NewMember("", peerURLs, "", &now)
	if _, ok := s.Member(uint64(m.ID)); ok || s.isRemoved(uint64(m.ID)) {
		return membership.Member{}, v2http.ErrIDExists
	}
	cc := raftpb.ConfChange{Type: raftpb.ConfChangeAddLearner, NodeID: uint64(m.ID)}
	if err := s.checkReconfig(cc); err != nil {
		return membership.Member{}, err
	}
	if err := s.proposeConfChange(ctx, cc, peerURLs); err != nil {
		return membership.Member{}, err
	}
	return m, nil
}

// RemoveMember removes a member; a removed member stops itself.
func (s *Server) RemoveMember(ctx context.Context, id membership.ID) error {
	if s.isRemoved(uint64(id)) {
		return v2http.ErrMemberRemoved
	}
	if _, ok := s.Member(uint64(id)); !ok {
		return v2http.ErrMemberNotFound
	}
	cc := raftpb.ConfChange{Type: raftpb.ConfChangeRemoveNode, NodeID: uint64(id)}
	if err := s.checkReconfig(cc); err != nil {
		return err
	}
	return s.proposeConfChange(ctx, cc, nil)
}

// checkReconfig is --strict-reconfig-check: on the leader, which knows who
// is active, a change that would leave the new configuration without an
// active quorum of voters is refused (etcd's ErrReconfigRefused); learners
// never count, so adding one is always safe. Other members leave the check
// to raft's own rules.
func (s *Server) checkReconfig(cc raftpb.ConfChange) error {
	if !s.cfg.StrictReconfigCheck || !s.IsLeader() {
		return nil
	}
	if err := s.RaftStatus().SafeConfChange(cc); err != nil {
		return fmt.Errorf("%w: %v", v2http.ErrReconfigRefused, err)
	}
	return nil
}

// UpdateMember replaces a member's peer URLs.
func (s *Server) UpdateMember(ctx context.Context, id membership.ID, peerURLs []string) error {
	if _, ok := s.Member(uint64(id)); !ok {
		return v2http.ErrMemberNotFound
	}
	if err := s.checkPeerURLsFree(peerURLs, uint64(id)); err != nil {
		return err
	}
	return s.proposeConfChange(ctx, raftpb.ConfChange{Type: raftpb.ConfChangeUpdateNode, NodeID: uint64(id)}, peerURLs)
}

// checkPeerURLsFree fails with ErrPeerURLExists when a member other than
// except already has one of urls.
func (s *Server) checkPeerURLsFree(urls []string, except uint64) error {
	for _, m := range s.Members() {
		if uint64(m.ID) == except {
			continue
		}
		for _, u := range urls {
			if slices.Contains(m.PeerURLs, u) {
				return v2http.ErrPeerURLExists
			}
		}
	}
	return nil
}

func (s *Server) isRemoved(id uint64) bool {
	_, err := s.store.Get(store.Cluster, removedDir+"/"+hexID(id), false, false, time.Time{})
	return err == nil
}

// proposeConfChange proposes cc through the raft loop and waits until it is
// applied here.
func (s *Server) proposeConfChange(ctx context.Context, cc raftpb.ConfChange, peerURLs []string) error {
	cc.ID = s.reqIDs.newID()
	if peerURLs != nil {
		b, err := json.Marshal(confContext{PeerURLs: peerURLs})
		if err != nil {
			return err
		}
		cc.Context = b
	}
	ctx, cancel := context.WithTimeout(ctx, s.requestTimeout())
	defer cancel()
	resc := s.waits.register(cc.ID)
	if err := s.proposeToLoop(ctx, proposal{conf: &cc}); err != nil {
		s.waits.cancel(cc.ID)
		return s.proposeError(ctx, err)
	}
	select {
	case res := <-resc:
		return res.err
	case <-ctx.Done():
		s.waits.cancel(cc.ID)
		return s.proposeError(ctx, ctx.Err())
	}
}

// applyConfChange applies a configuration change entry: raft's configuration,
// the store's member records and the transport's peers. A change that no
// longer makes sense when it is applied (the member was removed meanwhile)
// is skipped by every member alike (the check reads only the replicated
// store), and its proposer gets the error.
func (s *Server) applyConfChange(e raftpb.Entry) error {
	var cc raftpb.ConfChange
	if err := cc.Unmarshal(e.Data); err != nil {
		s.lg.Error("skipping a configuration change that does not decode", "index", e.Index, "err", err)
		return nil
	}
	if s.cfg.ForceNewCluster && e.Index <= s.forcedIndex {
		return nil
	}
	err := s.validateConfChange(cc)
	if err == nil {
		s.setConfState(s.node.ApplyConfChange(cc))
		err = s.recordConfChange(cc)
		s.joinSnapshot = s.joinSnapshot || addsMember(cc)
	}
	s.syncPeers()
	s.waits.trigger(cc.ID, result{err: err})
	if err == nil && cc.Type == raftpb.ConfChangeRemoveNode && cc.NodeID == s.id {
		s.fail(errRemoved)
	}
	return nil
}

// validateConfChange decides, from replicated state only (the store and the
// applied configuration), whether a committed change still applies. A
// ConfChangeAddNode without a Context promotes a learner (promote.go); one
// with a Context adds a voter directly (entries written before learners).
func (s *Server) validateConfChange(cc raftpb.ConfChange) error {
	_, exists := s.Member(cc.NodeID)
	switch {
	case s.isRemoved(cc.NodeID):
		return v2http.ErrMemberRemoved
	case addsMember(cc) && exists:
		return v2http.ErrIDExists
	case cc.Type == raftpb.ConfChangeAddNode && !addsMember(cc) && !slices.Contains(s.confState.Learners, cc.NodeID):
		if exists {
			return v2http.ErrIDExists // already a voter
		}
		return v2http.ErrMemberNotFound
	case !addsMember(cc) && !exists:
		return v2http.ErrMemberNotFound
	}
	return nil
}

// addsMember reports whether cc brings a new member in (a learner, or a
// voter added directly), as opposed to promoting one that is there.
func addsMember(cc raftpb.ConfChange) bool {
	return cc.Type == raftpb.ConfChangeAddLearner || (cc.Type == raftpb.ConfChangeAddNode && len(cc.Context) > 0)
}

// recordConfChange writes the change to the store's /0 namespace.
func (s *Server) recordConfChange(cc raftpb.ConfChange) error {
	switch {
	case cc.Type == raftpb.ConfChangeAddNode && !addsMember(cc):
		return nil // a promotion: the member's records stay as they are
	case addsMember(cc), cc.Type == raftpb.ConfChangeUpdateNode:
		var c confContext
		if err := json.Unmarshal(cc.Context, &c); err != nil {
			return fmt.Errorf("server: configuration change %x has a bad context: %w", cc.ID, err)
		}
		value, _ := json.Marshal(raftAttributes{PeerURLs: c.PeerURLs})
		_, err := s.store.Set(store.Cluster, raftAttributesKey(cc.NodeID), false, string(value), store.TTL{}, time.Time{})
		return err
	case cc.Type == raftpb.ConfChangeRemoveNode:
		if _, err := s.store.Delete(store.Cluster, membersDir+"/"+hexID(cc.NodeID), true, true, time.Time{}); err != nil {
			return err
		}
		_, err := s.store.Set(store.Cluster, removedDir+"/"+hexID(cc.NodeID), false, "removed", store.TTL{}, time.Time{})
		return err
	}
	return errors.New("server: unknown configuration change type")
}
