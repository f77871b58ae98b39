package transport

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"time"

	"skiff/raft/raftpb"
)

// sendSnapshot posts one MsgInstallSnapshot on a connection of its own, so
// a large snapshot never holds up the heartbeats on the stream, and tells
// raft how it went.
func (p *peer) sendSnapshot(m *raftpb.Message) {
	err := p.postSnapshot(m)
	if err != nil {
		p.stats.snapshotFailures.Add(1)
		p.log.Warn("sending snapshot failed", "msg", describe(m), "err", err)
		p.t.cfg.Raft.ReportUnreachable(p.id)
	} else {
		p.stats.snapshotsSent.Add(1)
		p.log.Info("sent snapshot", "index", snapshotIndex(m))
	}
	p.t.cfg.Raft.ReportSnapshot(p.id, err != nil)
}

func (p *peer) postSnapshot(m *raftpb.Message) error {
	if p.t.blocked(p.id, Outbound) {
		return fmt.Errorf("traffic to peer %x is blocked", p.id)
	}
	base, ok := p.pickURL()
	if !ok {
		return errNoURLs
	}
	url := joinURL(base, SnapshotPath)
	body := m.MarshalAppend(make([]byte, 0, m.Size()))
	req, err := http.NewRequestWithContext(p.ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("bad peer URL: %w", err)
	}
	p.t.setHeaders(req, p.id)
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := p.t.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return p.t.refusal(resp, p.id, url)
	}
	p.stats.msgsSent.Add(1)
	p.stats.bytesSent.Add(uint64(len(body)))
	return nil
}

// serveSnapshot receives one MsgInstallSnapshot and answers 204 once raft
// has accepted it.
func (t *Transport) serveSnapshot(w http.ResponseWriter, r *http.Request) {
	if !t.begin() {
		refuse(w, "transport stopped", http.StatusServiceUnavailable)
		return
	}
	defer t.wg.Done()
	from, ok := t.checkRequest(w, r)
	if !ok {
		return
	}
	rc := http.NewResponseController(w)
	ctx, done := t.untilStop(r, func() { _ = rc.SetReadDeadline(time.Now()) })
	defer done()
	if r.ContentLength > t.cfg.MaxSnapshotSize {
		refuse(w, fmt.Sprintf("snapshot of %d bytes exceeds the limit of %d bytes",
			r.ContentLength, t.cfg.MaxSnapshotSize), http.StatusRequestEntityTooLarge)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, t.cfg.MaxSnapshotSize))
	if err != nil {
		refuse(w, "reading snapshot: "+err.Error(), http.StatusBadRequest)
		return
	}
	var m raftpb.Message
	if err := m.Unmarshal(body); err != nil {
		refuse(w, "decoding snapshot message: "+err.Error(), http.StatusBadRequest)
		return
	}
	if m.Type != raftpb.MsgInstallSnapshot || m.Snapshot == nil || m.From != from || m.To != t.cfg.ID {
		refuse(w, fmt.Sprintf("not a snapshot for this member: %s", describe(&m)), http.StatusBadRequest)
		return
	}
	stats := t.counters(from)
	stats.msgsRecv.Add(1)
	stats.bytesRecv.Add(uint64(len(body)))
	admitted, delay := t.admit(m)
	if !admitted {
		refuse(w, "snapshot dropped by fault injection", http.StatusServiceUnavailable)
		return
	}
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			refuse(w, "transport stopped", http.StatusServiceUnavailable)
			return
		}
	}
	if err := t.cfg.Raft.Process(ctx, m); err != nil {
		refuse(w, "raft refused the snapshot: "+err.Error(), http.StatusInternalServerError)
		return
	}
	t.log.Info("received snapshot", "from", formatID(from), "index", snapshotIndex(&m), "bytes", len(body))
	w.WriteHeader(http.StatusNoContent)
}

func snapshotIndex(m *raftpb.Message) uint64 {
	if m.Snapshot == nil {
		return 0
	}
	return m.Snapshot.Metadata.Index
}
