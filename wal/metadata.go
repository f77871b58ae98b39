package wal

import (
	"encoding/binary"
	"fmt"
)

// Metadata is what a skiff member stores as the WAL's metadata: who it is
// and which cluster it belongs to. The WAL itself treats metadata as
// opaque bytes; this is the encoding the server uses for them.
type Metadata struct {
	MemberID  uint64
	ClusterID uint64
}

// Marshal encodes m as 16 bytes: the member ID, then the cluster ID, each
// a little-endian uint64.
func (m Metadata) Marshal() []byte { return marshalPair(m.MemberID, m.ClusterID) }

// Unmarshal decodes bytes made by Marshal.
func (m *Metadata) Unmarshal(b []byte) (err error) {
	m.MemberID, m.ClusterID, err = unmarshalPair(b, "metadata (member ID, cluster ID)")
	return err
}

// marshalPair encodes two uint64s as 16 little-endian bytes: the encoding
// of the fixed-size records (metadata, snapshot markers).
func marshalPair(a, b uint64) []byte {
	buf := binary.LittleEndian.AppendUint64(make([]byte, 0, 16), a)
	return binary.LittleEndian.AppendUint64(buf, b)
}

func unmarshalPair(b []byte, what string) (uint64, uint64, error) {
	if len(b) != 16 {
		return 0, 0, fmt.Errorf("wal: %s has %d bytes, want 16", what, len(b))
	}
	return binary.LittleEndian.Uint64(b[0:8]), binary.LittleEndian.Uint64(b[8:16]), nil
}
