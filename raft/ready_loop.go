package raft

// HasReady reports whether Ready would return any work.
func (n *Node) HasReady() bool {
	r := n.r
	if r.softState() != n.prevSoft || len(r.msgs) > 0 || r.broadcastPending && r.role == RoleLeader ||
		len(r.readStates) > 0 || r.readsReady() {
		return true
	}
	if hs := r.hardState(); hs != n.prevHard {
		return true
	}
	u := &r.log.unstable
	return len(u.notHandedOut()) > 0 || r.log.hasNextCommittedEnts() || u.snapshot != nil && !u.snapshotHandedOut
}

// Ready returns the work accumulated since the last Ready: state to persist,
// messages to send, entries to apply. Call Advance once it is handled.
func (n *Node) Ready() Ready {
	r := n.r
	r.flushBroadcast()
	r.flushReads()
	var rd Ready
	if ss := r.softState(); ss != n.prevSoft {
		rd.SoftState = &ss
		n.prevSoft = ss
	}
	if hs := r.hardState(); hs != n.prevHard {
		rd.HardState = hs
		rd.MustSync = hs.Term != n.prevHard.Term || hs.Vote != n.prevHard.Vote
		n.prevHard = hs
	}
	if u := &r.log.unstable; u.snapshot != nil && !u.snapshotHandedOut {
		rd.Snapshot = *u.snapshot
		rd.MustSync = true
		u.snapshotHandedOut = true
		n.snapshotIndex, n.snapshotPending = u.snapshot.Metadata.Index, true
		n.appliedPending = true // the driver applies the snapshot in this Ready
	}
	if ents := r.log.unstable.notHandedOut(); len(ents) > 0 {
		rd.Entries = ents
		rd.MustSync = true
		r.log.unstable.markHandedOut()
		last := ents[len(ents)-1]
		n.stableIndex, n.stableTerm, n.stablePending = last.Index, last.Term, true
	}
	if r.log.hasNextCommittedEnts() {
		rd.CommittedEntries = r.log.nextCommittedEnts()
		r.reduceUncommitted(rd.CommittedEntries)
		n.appliedPending = true
	}
	n.appliedIndex = r.log.applying
	rd.ReadStates, r.readStates = r.readStates, nil
	rd.Messages = r.msgs
	n.handedMsgs = r.msgs
	r.msgs, n.spare = n.spare[:0], nil
	return rd
}

// Advance tells raft that the last Ready has been handled: its entries and
// hard state are durable and its committed entries applied. The leader now
// counts its own copy of the entries (thesis §10.2.1), which may commit
// them; the next Ready then carries the news.
func (n *Node) Advance() {
	r := n.r
	if n.snapshotPending {
		r.log.unstable.stableSnapTo(n.snapshotIndex)
		n.snapshotPending = false
	}
	if n.stablePending {
		r.log.unstable.stableTo(n.stableIndex, n.stableTerm)
		n.stablePending = false
		if self := r.prs.progress[r.id]; r.role == RoleLeader && self != nil {
			if self.maybeUpdate(r.log.stableLastIndex()) && r.maybeCommit() {
				r.broadcastPending = true
			}
		}
	}
	if n.appliedPending {
		// What this Ready handed out; a snapshot received since then has
		// moved applying further, but the driver has not applied it yet.
		r.log.appliedTo(n.appliedIndex)
		n.appliedPending = false
	}
	if n.handedMsgs != nil {
		// The driver is done with the last Ready's Messages slice; keep it
		// for the next batch, dropping its references to entry data.
		clear(n.handedMsgs)
		n.spare, n.handedMsgs = n.handedMsgs[:0], nil
	}
}
