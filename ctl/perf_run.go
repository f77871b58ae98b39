package ctl

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"skiff/client"
)

// opKind is one of the three operations check perf mixes.
type opKind int

const (
	opWrite  opKind = iota // PUT key -d value=...
	opRead                 // GET key (served by the member that gets it)
	opQuorum               // GET key?quorum=true (goes through raft)
	numOpKinds
)

var opNames = [numOpKinds]string{"write", "read", "quorum-read"}

// perfResult is what the workers measured.
type perfResult struct {
	elapsed  time.Duration
	total    latencies
	byKind   [numOpKinds]latencies
	firstErr error
}

// runPerf preloads the keys, runs the workers and cleans up.
func (r *runner) runPerf(s *session, cfg perfConfig) (*perfResult, error) {
	cl, err := perfClient(s, cfg)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	value := randomValue(cfg.valueSize)
	targets, err := perfTargets(s.cl.Endpoints(), s.cfg.TLS, s.cfg.Username, s.cfg.Password, cfg.prefix, value)
	if err != nil {
		return nil, err
	}
	if err := r.preload(s, cl, cfg, value); err != nil {
		return nil, err
	}
	if !cfg.keep {
		defer r.cleanup(s, cl, cfg.prefix)
	}
	return r.load(s, targets, cfg), nil
}

// perfClient is the client for the preload and the cleanup, with a
// connection per worker kept alive and no --debug trace (a line per
// request would be the bottleneck). The measured load does not use it: see
// perf_conn.go.
func perfClient(s *session, cfg perfConfig) (*client.Client, error) {
	ccfg := s.cfg
	ccfg.Endpoints = s.cl.Endpoints()
	ccfg.OnRequest = nil
	ccfg.Transport = &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:     s.cfg.TLS,
		MaxIdleConnsPerHost: cfg.clients,
		IdleConnTimeout:     90 * time.Second,
	}
	return client.New(ccfg)
}

// workerTargets is the order in which worker w tries the endpoints.
// Normally every worker starts with the first, sticking to one member as
// etcdctl's client does; with --spread worker w starts with endpoint
// w mod n, so the workers take turns among them.
func workerTargets(targets []*perfTarget, w int, spread bool) []*perfTarget {
	if !spread {
		return targets
	}
	i := w % len(targets)
	return append(append([]*perfTarget{}, targets[i:]...), targets[:i]...)
}

// randomValue is n printable bytes.
func randomValue(n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[rand.IntN(len(letters))]
	}
	return string(b)
}

// perfKey is the i-th test key.
func perfKey(prefix string, i int) string {
	return fmt.Sprintf("%s/k%07d", prefix, i)
}

// preload writes every key once so reads find a value.
func (r *runner) preload(s *session, cl *client.Client, cfg perfConfig, value string) error {
	var next atomic.Int64
	errs := make(chan error, cfg.clients)
	var wg sync.WaitGroup
	for range cfg.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < cfg.keys; i = int(next.Add(1)) - 1 {
				ctx, cancel := s.withTotalTimeout(r.ctx)
				_, err := cl.Set(ctx, perfKey(cfg.prefix, i), value, nil)
				cancel()
				if err != nil {
					errs <- fmt.Errorf("preloading %s: %w", perfKey(cfg.prefix, i), err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// load runs cfg.clients workers until the count or the duration is used
// up, or the run is interrupted, and merges what they measured.
func (r *runner) load(s *session, targets []*perfTarget, cfg perfConfig) *perfResult {
	var claimed, done atomic.Int64
	start := time.Now()
	deadline := start.Add(cfg.duration)
	stopProgress := r.startProgress(cfg, start, &done)
	results := make([]*perfResult, cfg.clients)
	var wg sync.WaitGroup
	for w := range cfg.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := &perfResult{}
			conn := newPerfConn(r.ctx, workerTargets(targets, w, cfg.spread), s.g.totalTimeout)
			defer conn.close()
			rng := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
			now := start
			for r.ctx.Err() == nil {
				if cfg.count > 0 && claimed.Add(1) > int64(cfg.count) || cfg.count == 0 && now.After(deadline) {
					break
				}
				kind := pickOp(rng, cfg)
				opStart := time.Now()
				err := conn.do(kind, rng.IntN(cfg.keys), opStart)
				now = time.Now()
				res.record(kind, now.Sub(opStart), err)
				done.Add(1)
			}
			results[w] = res
		}()
	}
	wg.Wait()
	stopProgress()
	merged := &perfResult{elapsed: time.Since(start)}
	for _, res := range results {
		merged.merge(res)
	}
	return merged
}

// pickOp draws an operation with the configured percentages.
func pickOp(rng *rand.Rand, cfg perfConfig) opKind {
	n := rng.IntN(100)
	switch {
	case n < cfg.writes:
		return opWrite
	case n < cfg.writes+cfg.reads:
		return opRead
	}
	return opQuorum
}

// record adds one operation's outcome.
func (p *perfResult) record(kind opKind, lat time.Duration, err error) {
	p.total.add(lat, err)
	p.byKind[kind].add(lat, err)
	if err != nil && p.firstErr == nil {
		p.firstErr = err
	}
}

// merge adds another worker's measurements.
func (p *perfResult) merge(o *perfResult) {
	p.total.merge(&o.total)
	for k := range p.byKind {
		p.byKind[k].merge(&o.byKind[k])
	}
	if p.firstErr == nil {
		p.firstErr = o.firstErr
	}
}

// cleanup removes the test keys, warning on stderr if it cannot.
func (r *runner) cleanup(s *session, cl *client.Client, prefix string) {
	ctx, cancel := s.withTotalTimeout(context.WithoutCancel(r.ctx))
	defer cancel()
	if _, err := cl.Delete(ctx, prefix, &client.DeleteOptions{Dir: true, Recursive: true}); err != nil {
		fmt.Fprintf(r.Stderr, "warning: could not remove the test keys under %s: %v\n", prefix, err)
	}
}
