package linearizability

import (
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"
)

// Recorder collects the operations of every client on one clock.
type Recorder struct {
	base time.Time

	mu      sync.Mutex
	records []Record
	clients int
}

// NewRecorder starts the clock at zero now.
func NewRecorder() *Recorder { return &Recorder{base: time.Now()} }

// Now is the time on the recorder's clock, in nanoseconds.
func (r *Recorder) Now() int64 { return time.Since(r.base).Nanoseconds() }

// NewClientID hands out porcupine client ids: one per client, and a fresh
// one after each failed write (its operation never ends, so the client's
// row in the diagram stays open).
func (r *Recorder) NewClientID() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := r.clients
	r.clients++
	return id
}

// Add appends a finished operation.
func (r *Recorder) Add(rec Record) {
	r.mu.Lock()
	r.records = append(r.records, rec)
	r.mu.Unlock()
}

// Records returns a copy of the history so far.
func (r *Recorder) Records() []Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Record(nil), r.records...)
}

// Operations turns records into porcupine's history: plain GETs left out
// (they are not linearizable and have a checker of their own), failed reads
// dropped, and writes still unknown (Resolve settles most of them) given an
// infinite return time: the server may apply them at any moment.
func Operations(records []Record) []porcupine.Operation {
	var ops []porcupine.Operation
	for _, rec := range records {
		if rec.Input.Kind == Get && (!rec.Quorum || rec.Output.Failed) {
			continue
		}
		ret := rec.Return
		if rec.Output.Unknown {
			ret = math.MaxInt64
		}
		ops = append(ops, porcupine.Operation{
			ClientId: rec.Client,
			Input:    rec.Input,
			Call:     rec.Call,
			Output:   rec.Output,
			Return:   ret,
			Metadata: rec.meta(),
		})
	}
	return ops
}

// meta is what the visualization shows beside an operation.
func (r Record) meta() string {
	s := "m" + strconv.Itoa(r.Member+1)
	if r.EtcdIndex != 0 {
		s += " X-Etcd-Index " + strconv.FormatUint(r.EtcdIndex, 10)
	}
	if r.Err != "" {
		s += " " + r.Err
	}
	return s
}
