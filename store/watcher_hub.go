package store

// watchKey is where a watcher waits.
type watchKey struct {
	ns  Namespace
	key string
}

// watcherHub holds the registered watchers by the key they watch. It is
// guarded by the store's lock.
type watcherHub struct {
	byKey map[watchKey][]*Watcher
	count int
}

func (h *watcherHub) init() { h.byKey = make(map[watchKey][]*Watcher) }

func (h *watcherHub) add(w *Watcher) {
	k := watchKey{w.ns, w.key}
	w.pos = len(h.byKey[k])
	h.byKey[k] = append(h.byKey[k], w)
	h.count++
}

// drop unregisters w, if it still is, and closes its channel.
func (h *watcherHub) drop(w *Watcher) {
	if w.removed {
		return
	}
	k := watchKey{w.ns, w.key}
	list := h.byKey[k]
	last := len(list) - 1
	list[w.pos] = list[last]
	list[w.pos].pos = w.pos
	list[last] = nil
	if last == 0 {
		delete(h.byKey, k)
	} else {
		h.byKey[k] = list[:last]
	}
	h.count--
	w.removed = true
	close(w.ch)
}

// dropAll ends every watch; recovery does it, since the old watches may not
// fit the new state.
func (h *watcherHub) dropAll() {
	for _, list := range h.byKey {
		for _, w := range list {
			w.removed = true
			close(w.ch)
		}
	}
	h.byKey = make(map[watchKey][]*Watcher)
	h.count = 0
}

// notify wakes the watchers interested in e (see matches): those on the
// event's key and its ancestors, and for a removed directory those below it.
// Each watcher is offered e at most once. A plain watcher that takes the
// event is done; a watcher whose buffer is full is dropped.
func (h *watcherHub) notify(e *Event) {
	if len(h.byKey) == 0 {
		return
	}
	k := e.Node.Key
	h.notifyAt(e, "/")
	for i := 1; i < len(k); i++ {
		if k[i] == '/' {
			h.notifyAt(e, k[:i])
		}
	}
	h.notifyAt(e, k)
	if e.isDirRemoval() {
		for wk := range h.byKey {
			if wk.ns == e.ns && isBelow(wk.key, k) {
				h.notifyAt(e, wk.key)
			}
		}
	}
}

// notifyAt offers e to the watchers on one key.
func (h *watcherHub) notifyAt(e *Event, key string) {
	list := h.byKey[watchKey{e.ns, key}]
	if len(list) == 0 {
		return
	}
	var done []*Watcher
	for _, w := range list {
		if !matches(e, w.ns, w.key, w.recursive) {
			continue
		}
		ok := w.deliver(e)
		if ok && w.stream {
			continue
		}
		if ok || e.Index() >= w.since {
			done = append(done, w) // delivered a plain watch, or overflowed
		}
	}
	for _, w := range done {
		h.drop(w)
	}
}
