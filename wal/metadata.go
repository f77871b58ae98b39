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
func (m Metadata) Marshal() []byte {
	b := binary.LittleEndian.AppendUint64(nil, m.MemberID)
	return binary.LittleEndian.AppendUint64(b, m.ClusterID)
}

// Unmarshal decodes bytes made by Marshal.
func (m *Metadata) Unmarshal(b []byte) error {
	if len(b) != 16 {
		return fmt.Errorf("wal: metadata has %d bytes, want 16 (member ID, cluster ID)", len(b))
	}
	m.MemberID = binary.LittleEndian.Uint64(b[0:8])
	m.ClusterID = binary.LittleEndian.Uint64(b[8:16])
	return nil
}
