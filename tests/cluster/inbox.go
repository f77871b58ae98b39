package cluster

import (
	"os"
	"sync"
	"time"
)

// inbox is the read side of a faultConn: bytes the pump has passed on,
// waiting to be read, with read deadlines that work as net.Conn's do (the
// HTTP server aborts a pending read by setting a deadline in the past).
type inbox struct {
	mu       sync.Mutex
	buf      []byte
	err      error // set once the pump ends
	deadline time.Time
	wake     chan struct{} // closed and replaced on every change
}

func newInbox() *inbox { return &inbox{wake: make(chan struct{})} }

// signal wakes every waiting reader. Called with mu held.
func (b *inbox) signal() {
	close(b.wake)
	b.wake = make(chan struct{})
}

// Write appends p for the reader; it never blocks.
func (b *inbox) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return 0, b.err
	}
	b.buf = append(b.buf, p...)
	b.signal()
	return len(p), nil
}

// closeWith ends the stream: readers get err once the buffer is drained.
func (b *inbox) closeWith(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err == nil {
		b.err = err
		b.signal()
	}
}

func (b *inbox) setDeadline(t time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.deadline = t
	b.signal()
}

// Read waits for bytes, the end of the stream or the deadline.
func (b *inbox) Read(p []byte) (int, error) {
	for {
		b.mu.Lock()
		if len(b.buf) > 0 {
			n := copy(p, b.buf)
			b.buf = b.buf[n:]
			b.mu.Unlock()
			return n, nil
		}
		if b.err != nil {
			err := b.err
			b.mu.Unlock()
			return 0, err
		}
		wake, dl := b.wake, b.deadline
		b.mu.Unlock()
		if !b.wait(wake, dl) {
			return 0, os.ErrDeadlineExceeded
		}
	}
}

// wait blocks until wake is closed (true) or the deadline dl passes
// (false); a zero dl never passes.
func (b *inbox) wait(wake chan struct{}, dl time.Time) bool {
	if dl.IsZero() {
		<-wake
		return true
	}
	d := time.Until(dl)
	if d <= 0 {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-wake:
		return true
	case <-t.C:
		return false
	}
}
