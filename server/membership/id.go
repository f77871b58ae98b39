package membership

import (
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ID identifies a member or a cluster. It is shown as lowercase hex without
// leading zeros (%x), as etcd shows it (contract §8), e.g. "a20b5b052601".
type ID uint64

// String returns the ID in lowercase hex without leading zeros.
func (id ID) String() string { return strconv.FormatUint(uint64(id), 16) }

// ParseID reads an ID written by String (hex, with or without leading zeros).
func ParseID(s string) (ID, error) {
	v, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("membership: %q is not a member ID (expected up to 16 hex digits): %w", s, err)
	}
	return ID(v), nil
}

// MemberID derives a member's ID from its peer URLs, as etcd's NewMember
// does (contract §8): the first 8 bytes, big-endian, of
//
//	SHA-1( concat(sorted(peerURLs)) + token [+ decimal unix seconds of addedAt] )
//
// Members of the initial cluster pass the cluster token (or, with
// --discovery, the discovery URL; contract §7.1) and a nil addedAt, so every
// member computes the same IDs. A member added at runtime (POST /v2/members)
// passes an empty token and the time it was added, so its ID is not
// predictable (contract §10.17).
//
// The URLs must already be in the form ParseURL returns; MemberID does not
// reorder the caller's slice.
func MemberID(peerURLs []string, token string, addedAt *time.Time) ID {
	sorted := slices.Clone(peerURLs)
	slices.Sort(sorted)
	var b strings.Builder
	for _, u := range sorted {
		b.WriteString(u)
	}
	b.WriteString(token)
	if addedAt != nil {
		b.WriteString(strconv.FormatInt(addedAt.Unix(), 10))
	}
	sum := sha1.Sum([]byte(b.String()))
	return ID(binary.BigEndian.Uint64(sum[:8]))
}

// ClusterID derives a cluster's ID from its members' IDs, as etcd's
// RaftCluster.genID does (contract §8): the first 8 bytes, big-endian, of
// SHA-1 over the member IDs sorted ascending, each written as 8 big-endian
// bytes. The order of memberIDs does not matter.
func ClusterID(memberIDs []ID) ID {
	sorted := slices.Clone(memberIDs)
	slices.Sort(sorted)
	buf := make([]byte, 8*len(sorted))
	for i, id := range sorted {
		binary.BigEndian.PutUint64(buf[8*i:], uint64(id))
	}
	sum := sha1.Sum(buf)
	return ID(binary.BigEndian.Uint64(sum[:8]))
}
