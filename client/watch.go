package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// WatchOptions choose what a Watcher waits for.
type WatchOptions struct {
	// AfterIndex starts the watch after this store index: the first event
	// returned is the first one with a higher index, taken from the
	// server's history when it is already past (etcdctl watch
	// --after-index). 0 means events from now on.
	AfterIndex uint64
	// Recursive also reports events on everything under the key.
	Recursive bool
	// Stream keeps one connection open (stream=true) and reads event after
	// event from it, instead of one long poll per event as etcdctl does.
	Stream bool
}

// Watcher reports the events on one key (or subtree) one at a time. It
// remembers the index of the last event it returned, so when a connection
// drops it reconnects, on any endpoint, asking for the events after that
// one: no event is lost or repeated. A Watcher is not safe for concurrent
// use; Close it to end an open stream.
type Watcher struct {
	c         *Client
	path      string
	recursive bool
	stream    bool
	// nextIndex is the waitIndex of the next request: one past the last
	// event returned. 0 until the first answer says where "now" is.
	nextIndex uint64

	conn *watchConn // the open answer, nil between long polls
}

// watchConn is one open watch answer and what its headers said.
type watchConn struct {
	cancel   context.CancelFunc
	body     io.ReadCloser
	dec      *json.Decoder
	headers  http.Header
	endpoint url.URL
}

// Watcher returns a watcher for key; nothing is sent until Next.
func (c *Client) Watcher(key string, opts *WatchOptions) *Watcher {
	w := &Watcher{c: c, path: keysPath(key)}
	if opts != nil {
		w.recursive, w.stream = opts.Recursive, opts.Stream
		if opts.AfterIndex > 0 {
			w.nextIndex = opts.AfterIndex + 1
		}
	}
	return w
}

// NextIndex is the waitIndex the next request will carry: one past the last
// event returned (0 before the watch has begun without AfterIndex).
func (w *Watcher) NextIndex() uint64 { return w.nextIndex }

// Next waits for the next event and returns it as a *Response whose Index
// is X-Etcd-Index of the watch request. It returns ctx.Err() when ctx ends,
// a *ClusterError when no endpoint can be reached (calling Next again
// resumes), and an *Error from the server; IsEventIndexCleared(err) means
// the events after the last index are no longer in the server's history:
// re-read the key and start a new Watcher with AfterIndex set to the
// read's Index.
func (w *Watcher) Next(ctx context.Context) (*Response, error) {
	backoff := time.Duration(0)
	for {
		if w.conn == nil {
			if err := w.open(ctx); err != nil {
				return nil, err
			}
		}
		res, err := w.read(ctx)
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !isDrop(err) {
			return nil, err
		}
		// The connection ended before an event: wait a little (the server
		// may be closing watches on purpose) and ask again from nextIndex.
		backoff = min(max(2*backoff, 50*time.Millisecond), time.Second)
		if err := sleep(ctx, backoff); err != nil {
			return nil, err
		}
	}
}

// Close ends an open stream. The Watcher may be used again; it then
// resumes after the last event it returned.
func (w *Watcher) Close() error {
	if w.conn != nil {
		w.conn.close()
		w.conn = nil
	}
	return nil
}

// open sends the watch request. The connection lives on a context of its
// own, so a stream outlives the Next call that opened it; each Next ties
// it to its own ctx while it waits (see read).
func (w *Watcher) open(ctx context.Context) error {
	q := url.Values{}
	q.Set("wait", "true")
	q.Set("recursive", strconv.FormatBool(w.recursive))
	q.Set("waitIndex", strconv.FormatUint(w.nextIndex, 10))
	if w.stream {
		q.Set("stream", "true")
	}
	connCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	resp, ep, err := w.c.do(connCtx, &request{method: http.MethodGet, path: w.path, query: q})
	if err != nil {
		cancel()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	if resp.StatusCode != http.StatusOK {
		defer cancel()
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return decodeError(resp.StatusCode, body)
	}
	if w.nextIndex == 0 {
		// The watch covers the events after the index it began at; pin
		// that, so a reconnect before the first event misses nothing.
		if idx := parseUint(resp.Header, "X-Etcd-Index"); idx > 0 {
			w.nextIndex = idx + 1
		}
	}
	w.conn = &watchConn{cancel: cancel, body: resp.Body, dec: json.NewDecoder(resp.Body),
		headers: resp.Header, endpoint: ep}
	return nil
}

// read decodes the next event from the open answer. The connection is
// kept only for a stream whose event was live; see keepStream.
func (w *Watcher) read(ctx context.Context) (*Response, error) {
	conn := w.conn
	stop := context.AfterFunc(ctx, conn.cancel)
	res := &Response{}
	err := conn.dec.Decode(res)
	cut := !stop() // ctx ended and the AfterFunc cut the connection
	if err == nil && res.Node == nil {
		err = &badEventError{endpoint: conn.endpoint.String()}
	}
	if err != nil || cut || !w.keepStream(res) {
		conn.close()
		w.conn = nil
	}
	if err != nil {
		return nil, err
	}
	res.readHeaders(conn.headers)
	res.Endpoint = conn.endpoint.String()
	res.StatusCode = http.StatusOK
	w.nextIndex = res.Node.ModifiedIndex + 1
	return res, nil
}

// keepStream reports whether the open stream will carry more events after
// res. A long poll never does. Nor does a stream whose event came from the
// server's history (its index is not above the X-Etcd-Index the watch began
// at): etcd answers a waitIndex found in history with that one event and
// never registers the watcher, so the stream would stay silent forever
// (seen on etcd 3.4.23). The next Next then asks again from the following
// index, and once caught up the stream carries live events.
func (w *Watcher) keepStream(res *Response) bool {
	return w.stream && res.Node.ModifiedIndex > parseUint(w.conn.headers, "X-Etcd-Index")
}

func (wc *watchConn) close() {
	_ = wc.body.Close()
	wc.cancel()
}

// badEventError is a well-formed JSON answer to a watch that is not an event.
type badEventError struct{ endpoint string }

func (e *badEventError) Error() string {
	return fmt.Sprintf("client: a watch answer from %s has no node; it is not a v2 event", e.endpoint)
}

// isDrop reports whether err means the connection ended, rather than that
// the server sent something that is not an event.
func isDrop(err error) bool {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var bad *badEventError
	return !errors.As(err, &syntax) && !errors.As(err, &typ) && !errors.As(err, &bad)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
