package store

// watcherBuffer is how many events a watcher holds before it counts as too
// slow and is removed, its channel closed (§1.8: etcd's 100). A slow reader
// never slows a write.
const watcherBuffer = 100

// Watcher receives the events of one watch. Read them from EventChan; the
// channel is closed when the watch ends: after its one event for a plain
// watch, when a streaming watcher falls behind by more than watcherBuffer
// events, on Remove, or when the store recovers from a snapshot.
type Watcher struct {
	ch         chan *Event
	ns         Namespace
	key        string
	recursive  bool
	stream     bool
	since      uint64 // the first index the watch wants
	startIndex uint64
	store      *Store
	removed    bool // guarded by store.mu
	pos        int  // index in its hub list, guarded by store.mu
}

// EventChan delivers the watch's events.
func (w *Watcher) EventChan() <-chan *Event { return w.ch }

// StartIndex is the store index when the watch began: the X-Etcd-Index of
// the watch response (§1.5).
func (w *Watcher) StartIndex() uint64 { return w.startIndex }

// Remove ends the watch and closes its channel; it may be called any number
// of times and at any point.
func (w *Watcher) Remove() {
	w.store.mu.Lock()
	defer w.store.mu.Unlock()
	w.store.watchers.drop(w)
}

// Watch starts a watch on key (§1.8). sinceIndex 0 means "from the next
// write". A sinceIndex at or below the current index is answered from the
// history: a plain watch gets the first matching event at once; a streaming
// one gets every matching event from the history and then stays for the
// future ones. A sinceIndex older than the history is 401. recursive watches
// the subtree; stream keeps the watch after an event.
func (s *Store) Watch(ns Namespace, key string, recursive, stream bool, sinceIndex uint64) (*Watcher, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.root(ns); err != nil {
		return nil, err
	}
	p := cleanPath(key)
	if sinceIndex == 0 {
		sinceIndex = s.index + 1
	}
	w := &Watcher{ch: make(chan *Event, watcherBuffer), ns: ns, key: p, recursive: recursive,
		stream: stream, since: sinceIndex, startIndex: s.index, store: s}
	limit := 1
	if stream {
		limit = watcherBuffer + 1
	}
	past, err := s.history.scan(ns, p, recursive, sinceIndex, s.index, limit)
	if err != nil {
		return nil, err
	}
	for i, e := range past {
		if i == watcherBuffer {
			break
		}
		w.ch <- e
	}
	// A plain watch answered from the history is done, and so is a stream
	// whose backlog already overflows its buffer.
	if (len(past) > 0 && !stream) || len(past) > watcherBuffer {
		close(w.ch)
		w.removed = true
		return w, nil
	}
	s.watchers.add(w)
	return w, nil
}

// deliver offers e to w without blocking and reports whether it was
// accepted; an event before the watch's first index is not offered. On a
// full buffer it returns false and the hub drops the watcher.
func (w *Watcher) deliver(e *Event) bool {
	if e.Index() < w.since {
		return false
	}
	select {
	case w.ch <- e:
		return true
	default:
		return false
	}
}
