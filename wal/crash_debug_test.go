package wal

import "fmt"

// debug lists the model states near the acknowledged point, for a failing
// crash check.
func (m *crashModel) debug(r recovered, s Snapshot) string {
	out := fmt.Sprintf("snap %+v acked %d of %d; recovered %+v ents %d first %d\n", s, m.acked, len(m.recs), r.state, len(r.ents), firstIdx(r))
	for p := max(0, m.acked-3); p <= len(m.recs); p++ {
		want, ok := m.stateAt(p, s)
		fi := uint64(0)
		if len(want.ents) > 0 {
			fi = want.ents[0].Index
		}
		rec := ""
		if p > 0 {
			rec = fmt.Sprintf("%v %d %+v %+v", m.recs[p-1].typ, m.recs[p-1].ent.Index, m.recs[p-1].state, m.recs[p-1].snap)
		}
		out += fmt.Sprintf("p=%d ok=%v state %+v ents %d first %d  (last rec %s)\n", p, ok, want.state, len(want.ents), fi, rec)
	}
	return out
}

func firstIdx(r recovered) uint64 {
	if len(r.ents) == 0 {
		return 0
	}
	return r.ents[0].Index
}
