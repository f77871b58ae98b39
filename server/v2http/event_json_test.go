package v2http

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"skiff/store"
)

// TestEventJSONMatchesEncodingJSON proves the hand-written event encoder
// (event_json.go) writes exactly what json.NewEncoder(w).Encode writes, for
// random events with every field present or absent, nested nodes, nil
// children, expirations in several zones and out of range, and strings full
// of what encoding/json escapes. A failure prints the seed; the seed of a
// run is fixed, so it replays with the same command.
func TestEventJSONMatchesEncodingJSON(t *testing.T) {
	for seed := uint64(1); seed <= 3000; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0x5eed))
		ev := &store.Event{Action: randJSONString(rng), EtcdIndex: rng.Uint64(), Refresh: rng.IntN(2) == 0}
		if rng.IntN(4) > 0 {
			ev.Node = randNodeExtern(rng, 3)
		}
		if rng.IntN(3) == 0 {
			ev.PrevNode = randNodeExtern(rng, 2)
		}
		requireSameEventJSON(t, ev, "seed %d (go test -run TestEventJSONMatchesEncodingJSON ./server/v2http)", seed)
	}
}

// FuzzEventJSON feeds arbitrary strings, numbers and times to the event
// encoder and compares with encoding/json.
func FuzzEventJSON(f *testing.F) {
	f.Add("set", "/a<b>&c", "v\u2028\xff\x00\"\\", int64(5), uint64(7), int64(1e18), int64(-3600), true)
	f.Add("", "", "", int64(0), uint64(0), int64(-1e18*9), int64(0), false)
	f.Fuzz(func(t *testing.T, action, key, value string, ttl int64, index uint64, unixNano, offset int64, dir bool) {
		exp := time.Unix(0, unixNano).In(time.FixedZone("z", int(offset%(30*3600))))
		n := &store.NodeExtern{Key: key, Value: &value, Dir: dir, Expiration: &exp, TTL: ttl,
			ModifiedIndex: index, CreatedIndex: index / 2}
		n.Nodes = []*store.NodeExtern{{Key: value}, nil, {Value: &key, TTL: -ttl}}
		requireSameEventJSON(t, &store.Event{Action: action, Node: n, PrevNode: &store.NodeExtern{Key: action}}, "fuzz")
	})
}

func requireSameEventJSON(t *testing.T, ev *store.Event, format string, args ...any) {
	t.Helper()
	var want, got bytes.Buffer
	wantErr := json.NewEncoder(&want).Encode(ev)
	gotErr := encodeEvent(&got, ev)
	if (wantErr == nil) != (gotErr == nil) || !bytes.Equal(want.Bytes(), got.Bytes()) {
		t.Fatalf(format+":\nencoding/json: %q (err %v)\nencodeEvent:   %q (err %v)",
			append(args, want.String(), wantErr, got.String(), gotErr)...)
	}
}

func randNodeExtern(rng *rand.Rand, depth int) *store.NodeExtern {
	n := &store.NodeExtern{}
	if rng.IntN(4) > 0 {
		n.Key = randJSONString(rng)
	}
	if rng.IntN(2) == 0 {
		v := randJSONString(rng)
		n.Value = &v
	}
	n.Dir = rng.IntN(3) == 0
	if rng.IntN(3) == 0 {
		n.Expiration = randTime(rng)
	}
	if rng.IntN(3) == 0 {
		n.TTL = rng.Int64() >> rng.IntN(64)
		if rng.IntN(2) == 0 {
			n.TTL = -n.TTL
		}
	}
	if depth > 0 && rng.IntN(3) == 0 {
		n.Nodes = make([]*store.NodeExtern, rng.IntN(4))
		for i := range n.Nodes {
			if rng.IntN(5) > 0 {
				n.Nodes[i] = randNodeExtern(rng, depth-1)
			}
		}
	}
	if rng.IntN(4) > 0 {
		n.ModifiedIndex = rng.Uint64() >> rng.IntN(64)
	}
	if rng.IntN(4) > 0 {
		n.CreatedIndex = rng.Uint64() >> rng.IntN(64)
	}
	return n
}

// randTime is mostly near now in UTC or a fixed zone, sometimes anywhere an
// int64 of nanoseconds reaches, and sometimes past year 9999 (which
// encoding/json refuses).
func randTime(rng *rand.Rand) *time.Time {
	var tm time.Time
	switch rng.IntN(4) {
	case 0:
		tm = time.Unix(0, rng.Int64()-rng.Int64())
	case 1:
		tm = time.Date(9999+rng.IntN(3), 12, 31, 23, 59, 59, rng.IntN(1e9), time.UTC)
	default:
		tm = time.Now().Add(time.Duration(rng.Int64N(int64(1e18)))).Round(time.Duration(rng.Int64N(1e9) + 1))
	}
	switch rng.IntN(3) {
	case 0:
		tm = tm.UTC()
	case 1:
		tm = tm.In(time.FixedZone("x", rng.IntN(50*3600)-25*3600))
	}
	return &tm
}

// randJSONString mixes plain ASCII with everything encoding/json escapes:
// control bytes, quotes, backslashes, <, >, &, U+2028/2029, other runes and
// invalid UTF-8.
func randJSONString(rng *rand.Rand) string {
	pieces := []string{"a", "/", "key", " ", "\"", "\\", "<", ">", "&", "\u2028", "\u2029", "é", "日本",
		"\U0001F600", "\xff", "\xe2\x80", "\xed\xa0\x80", "\x00", "\x1f", "\x7f", "\b", "\f", "\n", "\r", "\t", "\ufffd"}
	var b []byte
	for range rng.IntN(8) {
		if rng.IntN(3) == 0 {
			b = append(b, byte(rng.IntN(256)))
		} else {
			b = append(b, pieces[rng.IntN(len(pieces))]...)
		}
	}
	return string(b)
}
