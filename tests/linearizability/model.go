package linearizability

import (
	"fmt"
	"hash/fnv"
	"sort"

	"github.com/anishathalye/porcupine"
)

// keyState is the state of one key: whether it exists, its value, and its
// modifiedIndex (for a deleted key, the index of the delete). Idx 0 means
// unknown: the last change was a write whose answer was lost.
type keyState struct {
	Exists bool
	Value  string
	Idx    uint64
}

// Model is the porcupine model of the v2 key space, partitioned per key
// (operations on different keys are independent once the global index is
// left to the other checkers). It is nondeterministic: a write with an
// unknown outcome may have been applied or not, and both states go on.
var Model = (&porcupine.NondeterministicModel{
	Partition: partitionByKey,
	Init:      func() []any { return []any{keyState{}} },
	Step: func(state, input, output any) []any {
		return step(state.(keyState), input.(Input), output.(Output))
	},
	Equal: func(a, b any) bool { return a.(keyState) == b.(keyState) },
	Hash: func(s any) uint64 {
		st := s.(keyState)
		h := fnv.New64a()
		fmt.Fprintf(h, "%t|%s|%d", st.Exists, st.Value, st.Idx)
		return h.Sum64()
	},
	DescribeOperation: func(in, out any) string { return describeOp(in.(Input), out.(Output)) },
	DescribeState: func(s any) string {
		st := s.(keyState)
		if !st.Exists {
			return "absent"
		}
		if st.Idx == 0 {
			return st.Value + "@?"
		}
		return fmt.Sprintf("%s@%d", st.Value, st.Idx)
	},
	DescribeOperationMetadata: func(m any) string {
		if m == nil {
			return ""
		}
		return fmt.Sprint(m)
	},
}).ToModel()

// partitionByKey splits a history per key, keys sorted so the HTML is the
// same on every run.
func partitionByKey(h []porcupine.Operation) [][]porcupine.Operation {
	byKey := map[string][]porcupine.Operation{}
	for _, op := range h {
		k := op.Input.(Input).Key
		byKey[k] = append(byKey[k], op)
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([][]porcupine.Operation, 0, len(keys))
	for _, k := range keys {
		out = append(out, byKey[k])
	}
	return out
}

// step returns the states s can move to by in with the observed out; none
// when out is impossible from s.
func step(s keyState, in Input, out Output) []any {
	if out.Unknown {
		// Applied or never applied (an operation never applied can be
		// placed after everything else, which this branch also covers).
		return []any{s, apply(s, in)}
	}
	if in.Kind == Get {
		return stepGet(s, out)
	}
	if out.Code != 0 {
		if refusalLegal(s, in, out.Code) {
			return []any{s}
		}
		return nil
	}
	if !preconditionMayHold(s, in) {
		return nil
	}
	// A write's index is above the key's previous one (when known).
	if s.Idx != 0 && out.Index <= s.Idx {
		return nil
	}
	next := apply(s, in)
	next.Idx = out.Index
	return []any{next}
}

// stepGet checks a linearizable read against the state; a state whose
// index is unknown takes the index the read saw.
func stepGet(s keyState, out Output) []any {
	if out.Code == 100 {
		if s.Exists {
			return nil
		}
		return []any{s}
	}
	if !s.Exists || s.Value != out.Value || (s.Idx != 0 && s.Idx != out.Index) {
		return nil
	}
	s.Idx = out.Index
	return []any{s}
}

// compare is the outcome of a CAS or CAD condition against s: true, false,
// or unknown (a prevIndex against an unknown index).
func compare(s keyState, in Input) (holds, known bool) {
	if !s.Exists {
		return false, true
	}
	if in.PrevValue != "" && s.Value != in.PrevValue {
		return false, true
	}
	if in.PrevIndex != 0 {
		if s.Idx == 0 {
			return false, false
		}
		if s.Idx != in.PrevIndex {
			return false, true
		}
	}
	return true, true
}

// preconditionMayHold says whether in can succeed from s.
func preconditionMayHold(s keyState, in Input) bool {
	switch in.Kind {
	case Create:
		return !s.Exists
	case Update, Delete:
		return s.Exists
	case CAS, CAD:
		holds, known := compare(s, in)
		return holds || !known
	}
	return true // set
}

// refusalLegal says whether the v2 error code may come back for in from s.
func refusalLegal(s keyState, in Input, code int) bool {
	switch code {
	case 100: // key not found
		return !s.Exists && in.Kind != Create && in.Kind != Set
	case 105: // key exists
		return in.Kind == Create && s.Exists
	case 101: // compare failed
		if in.Kind != CAS && in.Kind != CAD || !s.Exists {
			return false
		}
		holds, known := compare(s, in)
		return !holds || !known
	}
	return false
}

// apply is the state after in succeeds from s, or s when its condition
// fails; the new index is unknown (0) until an answer tells it.
func apply(s keyState, in Input) keyState {
	holds, known := compare(s, in)
	switch in.Kind {
	case Set:
		return keyState{Exists: true, Value: in.Value}
	case Create:
		if s.Exists {
			return s
		}
		return keyState{Exists: true, Value: in.Value}
	case Update:
		if !s.Exists {
			return s
		}
		return keyState{Exists: true, Value: in.Value}
	case CAS:
		if !holds && known {
			return s
		}
		return keyState{Exists: true, Value: in.Value}
	case Delete:
		if !s.Exists {
			return s
		}
		return keyState{}
	case CAD:
		if !holds && known {
			return s
		}
		return keyState{}
	}
	return s
}
