package server

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// metadata is what the WAL records once, in every segment, about the member
// that owns it: who it is, which cluster it belongs to, and the cluster it
// was bootstrapped with.
//
// The initial members are kept because skiff's raft bootstraps a cluster
// with a configuration (raft.MemoryStorage.Bootstrap) rather than with
// configuration-change entries, as etcd does: a member that restarts without
// a snapshot needs that configuration again, and replays the same writes of
// the members' peer URLs into the store (bootstrapMembers in membership.go)
// so that every member's store starts identical.
type metadata struct {
	MemberID  uint64
	ClusterID uint64
	Initial   []initialMember // sorted by ID
}

// initialMember is one member of the bootstrap configuration.
type initialMember struct {
	ID       uint64
	PeerURLs []string
}

// metadataVersion is the first byte of encoded metadata.
const metadataVersion = 1

func (m *metadata) marshal() []byte {
	b := []byte{metadataVersion}
	b = binary.AppendUvarint(b, m.MemberID)
	b = binary.AppendUvarint(b, m.ClusterID)
	b = binary.AppendUvarint(b, uint64(len(m.Initial)))
	for _, im := range m.Initial {
		b = binary.AppendUvarint(b, im.ID)
		b = appendStrings(b, im.PeerURLs)
	}
	return b
}

func (m *metadata) unmarshal(data []byte) error {
	d := decoder{buf: data}
	if v := d.byte("metadata version"); d.err == nil && v != metadataVersion {
		return fmt.Errorf("%w: WAL metadata version %d, this skiff reads version %d", ErrMalformed, v, metadataVersion)
	}
	m.MemberID = d.uvarint("member ID")
	m.ClusterID = d.uvarint("cluster ID")
	n := d.uvarint("member count")
	if d.err == nil && n > uint64(len(d.buf)) {
		d.fail("member count")
	}
	m.Initial = nil
	for i := uint64(0); i < n && d.err == nil; i++ {
		im := initialMember{ID: d.uvarint("member ID")}
		im.PeerURLs = d.strings("peer URLs")
		m.Initial = append(m.Initial, im)
	}
	return d.finish("WAL metadata")
}

// voters returns the IDs of the initial members, ascending.
func (m *metadata) voters() []uint64 {
	ids := make([]uint64, 0, len(m.Initial))
	for _, im := range m.Initial {
		ids = append(ids, im.ID)
	}
	slices.Sort(ids)
	return ids
}

// RewriteMetadataIDs returns WAL metadata written by a member with its member
// ID and cluster ID replaced and everything else kept. skiffctl backup uses
// it to give a copy of a data dir new IDs (contract §9), so the copy can never
// join the old cluster by mistake.
func RewriteMetadataIDs(meta []byte, memberID, clusterID uint64) ([]byte, error) {
	var m metadata
	if err := m.unmarshal(meta); err != nil {
		return nil, err
	}
	m.MemberID, m.ClusterID = memberID, clusterID
	return m.marshal(), nil
}
