package linearizability

import (
	"fmt"
	"math/rand/v2"
	"sort"
)

// simulate builds the history a truly linearizable v2 store would give:
// clients issue operations back to back on a few keys, each takes effect
// at a random instant inside its [call, return] interval, and a share of
// writes lose their answer (applied or not, at random). It returns the
// records and the event log the store produced.
func simulate(seed uint64, clients, keys, opsPerClient int, unknownShare float64) ([]Record, []Event) {
	rng := rand.New(rand.NewPCG(seed, seed))
	type pending struct {
		rec     Record
		lin     int64
		applied bool // for a lost answer: did it take effect
	}
	var all []pending
	for c := range clients {
		t := int64(rng.IntN(100))
		for i := range opsPerClient {
			call := t
			ret := call + 1 + int64(rng.IntN(300))
			in := randomInput(rng, fmt.Sprintf("/k%d", rng.IntN(keys)), fmt.Sprintf("c%d-%d", c, i))
			p := pending{rec: Record{Client: c, Input: in, Call: call, Return: ret, Quorum: true}, lin: call + rng.Int64N(ret-call+1)}
			if in.Kind.IsWrite() && rng.Float64() < unknownShare {
				p.rec.Output.Unknown = true
				p.applied = rng.IntN(2) == 0
			}
			all = append(all, p)
			t = ret + 1
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].lin < all[j].lin })
	state := map[string]keyState{}
	var index uint64 = 10
	var log []Event
	var out []Record
	for _, p := range all {
		r := p.rec
		if r.Output.Unknown && !p.applied {
			out = append(out, r)
			continue
		}
		s := state[r.Input.Key]
		o, next, ev := execute(s, r.Input, index+1)
		if ev != nil {
			index++
			ev.Time = p.lin
			log = append(log, *ev)
			state[r.Input.Key] = next
		}
		if !r.Output.Unknown {
			r.Output = o
		}
		r.EtcdIndex = index
		out = append(out, r)
	}
	return out, log
}

// randomInput picks an operation: half reads, the rest writes of every
// kind, CAS and CAD on a value or an index the key may have.
func randomInput(rng *rand.Rand, key, value string) Input {
	in := Input{Key: key}
	switch n := rng.IntN(20); {
	case n < 10:
		in.Kind = Get
	case n < 13:
		in.Kind, in.Value = Set, value
	case n < 14:
		in.Kind, in.Value = Create, value
	case n < 15:
		in.Kind, in.Value = Update, value
	case n < 17:
		in.Kind, in.Value, in.PrevIndex = CAS, value, uint64(10+rng.IntN(30))
	case n < 18:
		in.Kind, in.PrevValue = CAD, fmt.Sprintf("c%d-%d", rng.IntN(4), rng.IntN(10))
	default:
		in.Kind = Delete
	}
	return in
}

// execute applies in to s as the v2 store does, at index idx; it returns
// the answer, the new state and the event (nil when nothing changed).
func execute(s keyState, in Input, idx uint64) (Output, keyState, *Event) {
	holds, _ := compare(s, in)
	fail := func(code int) (Output, keyState, *Event) { return Output{Code: code}, s, nil }
	switch in.Kind {
	case Get:
		if !s.Exists {
			return fail(100)
		}
		return Output{Value: s.Value, Index: s.Idx}, s, nil
	case Create:
		if s.Exists {
			return fail(105)
		}
	case Update, Delete:
		if !s.Exists {
			return fail(100)
		}
	case CAS, CAD:
		if !s.Exists {
			return fail(100)
		}
		if !holds {
			return fail(101)
		}
	}
	ev := &Event{Index: idx, Key: in.Key, Action: string(in.Kind), PrevValue: s.Value}
	next := keyState{Exists: true, Value: in.Value, Idx: idx}
	if in.Kind == Delete || in.Kind == CAD {
		ev.Action = map[Kind]string{Delete: "delete", CAD: "compareAndDelete"}[in.Kind]
		next = keyState{Idx: idx}
	} else {
		ev.Value = in.Value
	}
	if !s.Exists {
		ev.PrevValue = ""
	}
	return Output{Index: idx}, next, ev
}
