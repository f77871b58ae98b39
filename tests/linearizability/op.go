package linearizability

import "fmt"

// Kind is what an operation asks of one key.
type Kind string

// The operations of the workload (contract §1.2).
const (
	Get    Kind = "get"    // GET, with quorum=true or plain (Record.Quorum)
	Set    Kind = "set"    // PUT with no condition
	Create Kind = "create" // PUT prevExist=false
	Update Kind = "update" // PUT prevExist=true
	CAS    Kind = "cas"    // PUT prevValue and/or prevIndex
	Delete Kind = "delete" // DELETE with no condition
	CAD    Kind = "cad"    // DELETE prevValue and/or prevIndex
)

// IsWrite reports whether k changes the store when it succeeds.
func (k Kind) IsWrite() bool { return k != Get }

// Input is what the client sent.
type Input struct {
	Kind      Kind   `json:"kind"`
	Key       string `json:"key"`
	Value     string `json:"value,omitempty"` // unique per write
	PrevValue string `json:"prevValue,omitempty"`
	PrevIndex uint64 `json:"prevIndex,omitempty"`
}

// Output is what the client saw.
type Output struct {
	// Unknown: a write whose outcome cannot be known (timeout, connection
	// error, 5xx, error 300 or 301, cut off by a crash).
	Unknown bool `json:"unknown,omitempty"`
	// Failed: a read that got no answer; it is dropped from the history.
	Failed bool `json:"failed,omitempty"`
	// Code is the v2 error code of a refused request (100, 101, 105); 0 on
	// success.
	Code int `json:"code,omitempty"`
	// Value and Index are the node's value and modifiedIndex a get
	// returned, or the modifiedIndex a successful write produced.
	Value string `json:"value,omitempty"`
	Index uint64 `json:"index,omitempty"`
}

// Record is one operation as the workload saw it. Times are nanoseconds on
// one monotonic clock shared by every client.
type Record struct {
	Client int    `json:"client"` // porcupine's client id: fresh after a failed write
	Member int    `json:"member"` // the member the request went to
	Input  Input  `json:"input"`
	Output Output `json:"output"`
	Call   int64  `json:"call"`
	Return int64  `json:"return"` // when the answer (or the failure) came
	Quorum bool   `json:"quorum,omitempty"`
	// EtcdIndex is the X-Etcd-Index of the answer: for a plain GET, the
	// store index whose state it shows.
	EtcdIndex uint64 `json:"etcdIndex,omitempty"`
	Err       string `json:"err,omitempty"` // the error text of a failure
}

// String describes the operation for the visualization and for messages.
func (r Record) String() string {
	return describeOp(r.Input, r.Output) + fmt.Sprintf(" [client %d, m%d]", r.Client, r.Member+1)
}

func describeOp(in Input, out Output) string {
	var s string
	switch in.Kind {
	case Get:
		s = fmt.Sprintf("get(%s)", in.Key)
	case Set, Create, Update:
		s = fmt.Sprintf("%s(%s, %s)", in.Kind, in.Key, in.Value)
	case CAS:
		s = fmt.Sprintf("cas(%s, %s, prev %q@%d)", in.Key, in.Value, in.PrevValue, in.PrevIndex)
	case Delete:
		s = fmt.Sprintf("delete(%s)", in.Key)
	case CAD:
		s = fmt.Sprintf("cad(%s, prev %q@%d)", in.Key, in.PrevValue, in.PrevIndex)
	}
	switch {
	case out.Unknown:
		return s + " -> unknown"
	case out.Code != 0:
		return s + fmt.Sprintf(" -> error %d", out.Code)
	case in.Kind == Get:
		return s + fmt.Sprintf(" -> %s@%d", out.Value, out.Index)
	default:
		return s + fmt.Sprintf(" -> ok@%d", out.Index)
	}
}
