package transport

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"testing"

	"skiff/raft/raftpb"
)

// FuzzReadStream feeds arbitrary bytes to the receiving side of a stream:
// it must return an error or io.EOF, never panic, and deliver only messages
// addressed from the stream's sender to this member.
func FuzzReadStream(f *testing.F) {
	var good []byte
	for _, m := range []raftpb.Message{appendMsg(1, 2, 5, 2, 3), {Type: raftpb.MsgHeartbeat, From: 1, To: 2}} {
		enc := m.MarshalAppend(nil)
		good = binary.AppendUvarint(good, uint64(len(enc)))
		good = append(good, enc...)
	}
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := newFakeRaft()
		tr, err := New(Config{ID: 2, ClusterID: testClusterID, Raft: r, MaxMessageSize: 1 << 16})
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Stop()
		err = tr.readStream(context.Background(), 1, bufio.NewReader(bytes.NewReader(data)), func() error { return nil })
		if err == nil {
			t.Fatal("readStream returned nil; it must end with io.EOF or an error")
		}
		close(r.msgs)
		for m := range r.msgs {
			if m.From != 1 || m.To != 2 {
				t.Fatalf("delivered %s", describe(&m))
			}
		}
	})
}
