package transport

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"skiff/raft/raftpb"
)

// Transport carries raft messages between the members of one cluster.
//
// Invariants:
//  1. Send never blocks and never calls into Raft: a full or failing peer
//     queue drops the message and asks the peer's reporter goroutine to call
//     Raft.ReportUnreachable.
//  2. Messages to one peer travel on one stream, in the order Send saw them
//     (MsgInstallSnapshot excepted: it has a connection of its own).
//  3. Every goroutine the transport starts, and every inbound stream it
//     serves, has ended when Stop returns.
type Transport struct {
	cfg    Config
	log    *slog.Logger
	client *http.Client // for snapshots; streams dial with dial
	dial   func(ctx context.Context, network, addr string) (net.Conn, error)

	ctx    context.Context // cancelled by Stop
	cancel context.CancelFunc
	wg     sync.WaitGroup // every goroutine and inbound stream

	mu      sync.Mutex
	stopped bool
	peers   map[uint64]*peer
	stats   map[uint64]*counters // per remote member, sent and received

	appendsSent rateWindow                // MsgAppendEntries written, for Appends
	appendsRecv rateWindow                // MsgAppendEntries received
	removals    atomic.Uint64             // RemovePeer calls: open inbound streams recheck IsRemoved
	faults      atomic.Pointer[partition] // nil when no traffic is blocked
	removedOnce sync.Once                 // LocalRemoved is called at most once
}

// New returns a running transport with no peers. Add peers with AddPeer and
// serve Handler on the member's peer URLs.
func New(cfg Config) (*Transport, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	t := &Transport{
		cfg:    cfg,
		log:    cfg.Logger.With("member", fmt.Sprintf("%x", cfg.ID)),
		client: newClient(cfg),
		dial:   dialer(cfg),
		ctx:    ctx,
		cancel: cancel,
		peers:  make(map[uint64]*peer),
		stats:  make(map[uint64]*counters),
	}
	return t, nil
}

// AddPeer starts streaming to member id at urls (its peer URLs). Adding a
// known peer updates its URLs; adding the local member does nothing.
func (t *Transport) AddPeer(id uint64, urls []string) {
	if id == t.cfg.ID {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	if p, ok := t.peers[id]; ok {
		p.setURLs(urls)
		return
	}
	p := newPeer(t, id, urls, t.countersLocked(id))
	t.peers[id] = p
	t.log.Info("added peer", "peer", fmt.Sprintf("%x", id), "urls", urls)
}

// UpdatePeer changes the peer URLs of member id. If the stream is connected
// to a URL no longer listed, it reconnects.
func (t *Transport) UpdatePeer(id uint64, urls []string) {
	if p := t.peer(id); p != nil {
		p.setURLs(urls)
		t.log.Info("updated peer", "peer", fmt.Sprintf("%x", id), "urls", urls)
	}
}

// RemovePeer stops streaming to member id and waits for its goroutines to
// end; messages still queued for it are dropped.
func (t *Transport) RemovePeer(id uint64) {
	t.removals.Add(1)
	t.mu.Lock()
	p := t.peers[id]
	delete(t.peers, id)
	t.mu.Unlock()
	if p != nil {
		p.stop()
		t.log.Info("removed peer", "peer", fmt.Sprintf("%x", id))
	}
}

// Send queues msgs for their recipients and returns at once. A message to
// an unknown, removed or unreachable peer is dropped, and raft hears about
// it through ReportUnreachable (or ReportSnapshot for MsgInstallSnapshot).
func (t *Transport) Send(msgs []raftpb.Message) {
	for i := range msgs {
		m := &msgs[i]
		if m.To == 0 || m.To == t.cfg.ID {
			continue
		}
		p := t.peer(m.To)
		if p == nil {
			t.log.Debug("dropped message to unknown peer", "msg", describe(m))
			continue
		}
		if t.cfg.IsRemoved != nil && p.removed() {
			t.log.Debug("dropped message to removed member", "msg", describe(m))
			continue
		}
		p.send(m)
	}
}

// Stop closes every stream, outbound and inbound, and waits for all the
// transport's goroutines to end. The transport cannot be restarted.
func (t *Transport) Stop() {
	t.mu.Lock()
	if t.stopped {
		t.mu.Unlock()
		return
	}
	t.stopped = true
	peers := t.peers
	t.peers = make(map[uint64]*peer)
	t.mu.Unlock()

	t.cancel()
	for _, p := range peers {
		p.stop()
	}
	t.wg.Wait()
	t.client.CloseIdleConnections()
}

// IsActive reports whether the stream to member id is connected.
func (t *Transport) IsActive(id uint64) bool { return !t.ActiveSince(id).IsZero() }

// ActiveSince returns when the stream to member id last connected, or the
// zero time if it is not connected now.
func (t *Transport) ActiveSince(id uint64) time.Time {
	if p := t.peer(id); p != nil {
		return p.activeSince()
	}
	return time.Time{}
}

// ActivePeers returns the connected peers and when each stream connected.
func (t *Transport) ActivePeers() map[uint64]time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	active := make(map[uint64]time.Time)
	for id, p := range t.peers {
		if since := p.activeSince(); !since.IsZero() {
			active[id] = since
		}
	}
	return active
}

func (t *Transport) peer(id uint64) *peer {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.peers[id]
}

// begin registers an inbound request with the wait group, unless the
// transport has stopped. The caller must call t.wg.Done when it returns.
func (t *Transport) begin() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return false
	}
	t.wg.Add(1)
	return true
}

func describe(m *raftpb.Message) string {
	return fmt.Sprintf("%s %x->%x term=%d entries=%d", m.Type, m.From, m.To, m.Term, len(m.Entries))
}
