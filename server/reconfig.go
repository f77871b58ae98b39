package server

import (
	"context"
	"errors"

	"skiff/server/membership"
)

// errReconfigUnsupported is returned by the membership changes until the raft
// package can propose and apply configuration changes.
var errReconfigUnsupported = errors.New("membership changes are not supported by this build yet (raft has no ProposeConfChange); " +
	"rebuild the cluster with a new --initial-cluster instead")

// AddMember adds a member with the given peer URLs through a raft
// configuration change.
func (s *Server) AddMember(ctx context.Context, peerURLs []string) (membership.Member, error) {
	return membership.Member{}, errReconfigUnsupported
}

// RemoveMember removes a member through a raft configuration change.
func (s *Server) RemoveMember(ctx context.Context, id membership.ID) error {
	return errReconfigUnsupported
}

// UpdateMember replaces a member's peer URLs through a raft configuration
// change.
func (s *Server) UpdateMember(ctx context.Context, id membership.ID, peerURLs []string) error {
	return errReconfigUnsupported
}
