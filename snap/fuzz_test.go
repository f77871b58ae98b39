package snap

import (
	"reflect"
	"testing"

	"skiff/raft/raftpb"
)

// FuzzSnapshotDecode decodes arbitrary bytes as a snapshot file: it must not
// panic; what decodes must encode and decode back to the same snapshot;
// and any one flipped bit in a valid file must be reported as corrupt.
func FuzzSnapshotDecode(f *testing.F) {
	f.Add(Encode(snapAt(3, 75)), uint32(0))
	f.Add(Encode(raftpb.Snapshot{Metadata: raftpb.SnapshotMetadata{Index: 1, Term: 1}}), uint32(100))
	f.Add([]byte("skfsnap1"), uint32(5))
	f.Fuzz(func(t *testing.T, data []byte, flip uint32) {
		s, err := Decode(data)
		if err != nil {
			return
		}
		file := Encode(s)
		again, err := Decode(file)
		if err != nil {
			t.Fatalf("re-encoded snapshot does not decode: %v", err)
		}
		if !reflect.DeepEqual(normalize(again), normalize(s)) {
			t.Fatalf("round trip changed the snapshot: %+v became %+v", s, again)
		}
		bit := int(flip) % (len(file) * 8)
		file[bit/8] ^= 1 << (bit % 8)
		if _, err := Decode(file); err == nil {
			t.Fatalf("flipping bit %d of a valid file went unnoticed", bit)
		}
	})
}

// normalize makes empty and nil slices compare equal.
func normalize(s raftpb.Snapshot) raftpb.Snapshot {
	if len(s.Data) == 0 {
		s.Data = nil
	}
	if len(s.Metadata.ConfState.Voters) == 0 {
		s.Metadata.ConfState.Voters = nil
	}
	if len(s.Metadata.ConfState.Learners) == 0 {
		s.Metadata.ConfState.Learners = nil
	}
	return s
}
