package server

import (
	"errors"
	"testing"
)

// A result reaches the request registered under its ID; IDs nobody waits
// for are ignored; a cancelled ID gets nothing; failAll wakes the rest.
func TestWaitRegistry(t *testing.T) {
	w := newWaitRegistry()
	a, b, c := w.register(1), w.register(2), w.register(3)
	w.trigger(99, result{}) // proposed elsewhere: nobody waits
	w.trigger(1, result{err: errors.New("one")})
	if r := <-a; r.err == nil || r.err.Error() != "one" {
		t.Fatalf("ID 1 got %+v", r)
	}
	w.cancel(2)
	w.trigger(2, result{err: errors.New("late")})
	select {
	case r := <-b:
		t.Fatalf("a cancelled request got %+v", r)
	default:
	}
	w.failAll(ErrStopped)
	if r := <-c; !errors.Is(r.err, ErrStopped) {
		t.Fatalf("ID 3 after failAll got %+v", r)
	}
}

// A wait for an applied index returns at once; a later one when the index
// is applied; stop releases the rest.
func TestAppliedWaiter(t *testing.T) {
	w := newAppliedWaiter()
	w.appliedTo(5)
	select {
	case <-w.wait(5):
	default:
		t.Fatal("waiting for an applied index blocks")
	}
	seven, nine := w.wait(7), w.wait(9)
	w.appliedTo(8)
	select {
	case <-seven:
	default:
		t.Fatal("index 7 applied but its waiter is still blocked")
	}
	select {
	case <-nine:
		t.Fatal("index 9 woke before it was applied")
	default:
	}
	w.stop()
	<-nine
}

// A released channel is reused empty, and one whose request gave up is not
// reused, so a late result never reaches the next request.
func TestWaitRegistryReuse(t *testing.T) {
	w := newWaitRegistry()
	a := w.register(1)
	w.trigger(1, result{err: errors.New("one")})
	<-a
	w.release(a)
	b := w.register(2)
	select {
	case r := <-b:
		t.Fatalf("a new registration holds %+v", r)
	default:
	}
	w.trigger(2, result{err: errors.New("two")})
	if r := <-b; r.err == nil || r.err.Error() != "two" {
		t.Fatalf("ID 2 got %+v", r)
	}
	w.cancel(3) // nothing registered: harmless
	c := w.register(3)
	w.cancel(3)
	d := w.register(4)
	if c == d {
		t.Fatal("a cancelled request's channel was reused")
	}
}
