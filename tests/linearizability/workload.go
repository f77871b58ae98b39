package linearizability

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"skiff/client"
)

// Workload describes the traffic: clients spread over keys, each client
// sequential and pinned to one member (a client never retries a write on
// another member, which could apply it twice).
type Workload struct {
	Clients int           // concurrent clients; default 12
	Keys    int           // keys under Prefix; default 24
	Prefix  string        // default "/lin"
	Timeout time.Duration // per request; a write that runs out is unknown. Default 2s
	Seed    uint64
	// PlainReadsAsQuorum is a planted bug for the checkers' self-test:
	// quorum GETs are sent as plain GETs (which may be stale) but recorded
	// as quorum reads, so a correct cluster produces a history porcupine
	// must refuse.
	PlainReadsAsQuorum bool
}

func (w *Workload) defaults() {
	if w.Clients == 0 {
		w.Clients = 12
	}
	if w.Keys == 0 {
		w.Keys = 24
	}
	if w.Prefix == "" {
		w.Prefix = "/lin"
	}
	if w.Timeout == 0 {
		w.Timeout = 2 * time.Second
	}
}

// Key is the workload's i-th key.
func (w *Workload) Key(i int) string { return fmt.Sprintf("%s/k%02d", w.Prefix, i) }

// Run drives the traffic until ctx ends. members[i] is a client pinned to
// member i; client j uses member j mod len(members).
func (w *Workload) Run(ctx context.Context, rec *Recorder, members []*client.Client) {
	w.defaults()
	var wg sync.WaitGroup
	for j := range w.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &worker{w: w, rec: rec, member: j % len(members), cl: members[j%len(members)],
				name: j, rng: rand.New(rand.NewPCG(w.Seed, uint64(j))), seen: map[string]Output{}}
			c.run(ctx)
		}()
	}
	wg.Wait()
}

// worker is one sequential client.
type worker struct {
	w      *Workload
	rec    *Recorder
	member int
	cl     *client.Client
	name   int
	rng    *rand.Rand
	seq    int
	seen   map[string]Output // the last value and index read or written per key
}

func (c *worker) run(ctx context.Context) {
	id := c.rec.NewClientID()
	afterFailure := false
	for ctx.Err() == nil {
		in, quorum := c.next(afterFailure)
		r := c.do(ctx, in, quorum)
		if ctx.Err() != nil && (r.Output.Failed || r.Output.Unknown) && !in.Kind.IsWrite() {
			return // the run ended under it: nothing learnt
		}
		r.Client = id
		c.rec.Add(r)
		afterFailure = r.Output.Unknown
		if afterFailure {
			id = c.rec.NewClientID()
		}
		if r.Output.Failed || r.Output.Unknown {
			// Do not hammer a member that is down.
			select {
			case <-ctx.Done():
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
}

// next picks the next operation; after a failed write it is a quorum read.
func (c *worker) next(afterFailure bool) (Input, bool) {
	key := c.w.Key(c.rng.IntN(c.w.Keys))
	c.seq++
	value := fmt.Sprintf("c%d-%d", c.name, c.seq)
	if afterFailure {
		return Input{Kind: Get, Key: key}, true
	}
	last := c.seen[key]
	switch n := c.rng.IntN(100); {
	case n < 35:
		return Input{Kind: Get, Key: key}, true
	case n < 45:
		return Input{Kind: Get, Key: key}, false
	case n < 65:
		return Input{Kind: Set, Key: key, Value: value}, false
	case n < 71:
		return Input{Kind: Create, Key: key, Value: value}, false
	case n < 76:
		return Input{Kind: Update, Key: key, Value: value}, false
	case n < 83 && last.Value != "":
		return Input{Kind: CAS, Key: key, Value: value, PrevValue: last.Value}, false
	case n < 90 && last.Index != 0:
		return Input{Kind: CAS, Key: key, Value: value, PrevIndex: last.Index}, false
	case n < 96 && last.Value != "":
		return Input{Kind: CAD, Key: key, PrevValue: last.Value}, false
	case n < 98:
		return Input{Kind: Delete, Key: key}, false
	}
	return Input{Kind: Set, Key: key, Value: value}, false
}

// do sends one operation and records what came back.
func (c *worker) do(ctx context.Context, in Input, quorum bool) Record {
	rctx, cancel := context.WithTimeout(ctx, c.w.Timeout)
	defer cancel()
	r := Send(rctx, c.rec, c.cl, c.member, in, quorum && !c.w.PlainReadsAsQuorum)
	r.Quorum = quorum
	if !r.Output.Failed && !r.Output.Unknown && r.Output.Code == 0 {
		if in.Kind == Delete || in.Kind == CAD {
			delete(c.seen, in.Key)
		} else {
			c.seen[in.Key] = Output{Value: valueOf(in, r.Output), Index: r.Output.Index}
		}
	}
	return r
}

// Send sends one operation through cl (pinned to member) and returns its
// record, timed on rec's clock; the caller sets Client and adds it.
func Send(ctx context.Context, rec *Recorder, cl *client.Client, member int, in Input, quorum bool) Record {
	r := Record{Member: member, Input: in, Quorum: quorum, Call: rec.Now()}
	resp, err := send(ctx, cl, in, quorum)
	r.Return = rec.Now()
	r.Output, r.EtcdIndex, r.Err = classify(in, resp, err)
	return r
}

// ReadKeys reads every key under prefix from cl (a plain, local read when
// quorum is false) and returns them with the X-Etcd-Index of the answer.
func ReadKeys(ctx context.Context, cl *client.Client, prefix string, quorum bool) (map[string]string, uint64, error) {
	r, err := cl.Get(ctx, prefix, &client.GetOptions{Recursive: true, Quorum: quorum})
	if err != nil {
		return nil, 0, err
	}
	out := map[string]string{}
	for _, n := range r.Node.Nodes {
		out[n.Key] = n.Value
	}
	return out, r.Index, nil
}

func valueOf(in Input, out Output) string {
	if in.Kind == Get {
		return out.Value
	}
	return in.Value
}

func send(ctx context.Context, cl *client.Client, in Input, quorum bool) (*client.Response, error) {
	switch in.Kind {
	case Get:
		return cl.Get(ctx, in.Key, &client.GetOptions{Quorum: quorum})
	case Set:
		return cl.Set(ctx, in.Key, in.Value, nil)
	case Create:
		return cl.Set(ctx, in.Key, in.Value, &client.SetOptions{PrevExist: client.PrevNoExist})
	case Update:
		return cl.Set(ctx, in.Key, in.Value, &client.SetOptions{PrevExist: client.PrevExists})
	case CAS:
		return cl.Set(ctx, in.Key, in.Value, &client.SetOptions{PrevValue: in.PrevValue, PrevIndex: in.PrevIndex})
	case Delete:
		return cl.Delete(ctx, in.Key, nil)
	case CAD:
		return cl.Delete(ctx, in.Key, &client.DeleteOptions{PrevValue: in.PrevValue, PrevIndex: in.PrevIndex})
	}
	panic("linearizability: unknown operation " + string(in.Kind))
}

// classify turns an answer into an Output: a v2 refusal the model knows
// (100, 101, 105) is definite; anything else that is not a success (a
// timeout, a connection error, a 5xx, errors 300 and 301) leaves a write's
// outcome unknown and makes a read failed.
func classify(in Input, resp *client.Response, err error) (Output, uint64, string) {
	if err == nil {
		out := Output{}
		if resp.Node != nil {
			out.Index = resp.Node.ModifiedIndex
			if in.Kind == Get {
				out.Value = resp.Node.Value
			}
		}
		return out, resp.Index, ""
	}
	var ce *client.Error
	if errors.As(err, &ce) {
		switch ce.Code {
		case client.CodeKeyNotFound, client.CodeCompareFailed, client.CodeKeyExists:
			return Output{Code: ce.Code}, ce.Index, ""
		}
	}
	if in.Kind == Get {
		return Output{Failed: true}, 0, err.Error()
	}
	return Output{Unknown: true}, 0, err.Error()
}
