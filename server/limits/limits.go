package limits

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Defaults, each with its reason.
const (
	// DefaultMaxHeaderBytes caps the request line and headers: 1 MiB, Go's
	// and etcd's default. v2 requests carry their data in the URL and body;
	// no legitimate header set comes near it.
	DefaultMaxHeaderBytes = 1 << 20
	// DefaultMaxBodyBytes caps a request body: 32 MiB. Above Go's 10 MB
	// form cap, so a 10–32 MB keys body still gets etcd's own error 210
	// "http: POST too large" (contract §1.11); bigger ones are refused
	// before they are read.
	DefaultMaxBodyBytes = 32 << 20
	// DefaultReadHeaderTimeout bounds how long a client may take to send
	// its request line and headers: 10 s, ample on any network, while a
	// client that opens connections and sends nothing (slowloris) loses
	// them quickly.
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultRequestTimeout bounds reading the body of, and writing the
	// reply to, a request that is not a watch: 30 s, well above the 7 s a
	// write may wait for raft (§1.11), so it only ever cuts off a client
	// that trickles its body or stops reading its reply.
	DefaultRequestTimeout = 30 * time.Second
	// DefaultIdleTimeout closes keep-alive connections idle this long:
	// 2 min, longer than any client's pause between requests in practice.
	DefaultIdleTimeout = 2 * time.Minute
	// DefaultMaxWatchesPerConn caps the watches open at once on one
	// connection: 100. Over HTTP/1.1 a connection holds one request at a
	// time; over HTTP/2 (TLS) one connection multiplexes many, and etcdctl
	// or a client library never needs more than a handful on one.
	DefaultMaxWatchesPerConn = 100
)

// Config holds the limits; a zero field takes its default, a negative one
// turns that limit off (for MaxHeaderBytes: Go's own default, 1 MiB).
type Config struct {
	MaxHeaderBytes    int
	MaxBodyBytes      int64
	ReadHeaderTimeout time.Duration
	RequestTimeout    time.Duration
	IdleTimeout       time.Duration
	MaxWatchesPerConn int
}

func (c Config) withDefaults() Config {
	if c.MaxHeaderBytes == 0 {
		c.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.ReadHeaderTimeout == 0 {
		c.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.MaxWatchesPerConn == 0 {
		c.MaxWatchesPerConn = DefaultMaxWatchesPerConn
	}
	return c
}

// Apply sets the limits that belong to the http.Server itself:
// MaxHeaderBytes, ReadHeaderTimeout and IdleTimeout. ReadTimeout and
// WriteTimeout are left alone on purpose: they would cut off watches, which
// may last forever; Wrap gives non-watch requests their deadlines instead.
func (c Config) Apply(s *http.Server) {
	c = c.withDefaults()
	s.MaxHeaderBytes = max(c.MaxHeaderBytes, 0)
	s.ReadHeaderTimeout = max(c.ReadHeaderTimeout, 0)
	s.IdleTimeout = max(c.IdleTimeout, 0)
}

// Wrap returns next behind the per-request limits: the body cap (413 before
// reading when Content-Length is over it; a body that grows past it fails
// to read), the read and write deadline of non-watch requests, and the cap
// on watches per connection (429).
func (c Config) Wrap(next http.Handler) http.Handler {
	c = c.withDefaults()
	return &limiter{cfg: c, next: next, watches: newWatchCounter()}
}

type limiter struct {
	cfg     Config
	next    http.Handler
	watches *watchCounter
}

// ServeHTTP applies the body cap and the deadlines, then the watch cap.
func (l *limiter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if limit := l.cfg.MaxBodyBytes; limit > 0 {
		if r.ContentLength > limit {
			WriteMessage(w, http.StatusRequestEntityTooLarge,
				fmt.Sprintf("request body of %d bytes is over the limit of %d bytes", r.ContentLength, limit))
			return
		}
		// A body with a declared length is already cut off there by
		// net/http's server, so only a chunked one (length -1) needs the
		// cap's reader.
		if r.ContentLength < 0 {
			r.Body = &cappedBody{ReadCloser: r.Body, left: limit, limit: limit}
		}
	}
	watch := IsWatch(r)
	l.setDeadlines(w, watch, r.ContentLength != 0)
	if watch {
		l.serveWatch(w, r)
		return
	}
	l.next.ServeHTTP(w, r)
}

// setDeadlines gives a non-watch request RequestTimeout to have its body
// read and its reply written, and a watch none. They are set at the start
// of every request, never cleared at its end: the reply is flushed after
// the handler returns and an unread body is drained then, both still under
// the deadline; the next request on the connection sets its own.
//
// A request without a body (most GETs: Content-Length 0) gets no read
// deadline: there is nothing of it left to read, and what net/http reads
// meanwhile (its watch for the client closing the connection) has no
// deadline from net/http either, as the next request's headers get their
// own (ReadHeaderTimeout). It spares a runtime timer update per read.
func (l *limiter) setDeadlines(w http.ResponseWriter, watch, hasBody bool) {
	d := l.cfg.RequestTimeout
	if d <= 0 {
		return
	}
	var deadline time.Time // none, for a watch
	if !watch {
		deadline = time.Now().Add(d)
	}
	// net/http's own writer has the methods; asking it directly spares the
	// ResponseController an allocation per request. A wrapped writer goes
	// through the controller, which unwraps it.
	if dw, ok := w.(deadliner); ok {
		if hasBody {
			_ = dw.SetReadDeadline(deadline)
		}
		_ = dw.SetWriteDeadline(deadline)
		return
	}
	rc := http.NewResponseController(w)
	if hasBody {
		_ = rc.SetReadDeadline(deadline) // ErrNotSupported: a writer without deadlines
	}
	_ = rc.SetWriteDeadline(deadline)
}

// deadliner is the part of net/http's ResponseWriter that
// http.ResponseController calls to set deadlines.
type deadliner interface {
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
}

func (l *limiter) serveWatch(w http.ResponseWriter, r *http.Request) {
	if limit := l.cfg.MaxWatchesPerConn; limit > 0 {
		if !l.watches.acquire(r.RemoteAddr, limit) {
			WriteMessage(w, http.StatusTooManyRequests,
				fmt.Sprintf("too many watches on one connection (limit %d); close some, or open another connection", limit))
			return
		}
		defer l.watches.release(r.RemoteAddr)
	}
	l.next.ServeHTTP(w, r)
}

// WriteMessage writes the error shape of every endpoint but /v2/keys,
// {"message":"..."} with Content-Type application/json and no trailing
// newline, as etcd writes it (contract §2). v2http and v2auth answer with it
// too: it lives here because this package imports nothing of skiff, so
// either can import it.
func WriteMessage(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	b, _ := json.Marshal(struct {
		Message string `json:"message"`
	}{message})
	_, _ = w.Write(b)
}

// AllowMethod reports whether method is one of allowed; if not it answers
// 405 with the Allow header listing them comma-separated (no spaces) and the
// plain-text body "Method Not Allowed", as etcd does (contract §1.1, §3).
// Like WriteMessage, v2http and v2auth share it from here.
func AllowMethod(w http.ResponseWriter, method string, allowed ...string) bool {
	for _, m := range allowed {
		if m == method {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(allowed, ","))
	http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
	return false
}

// cappedBody fails a read past limit bytes with *http.MaxBytesError. It is
// not http.MaxBytesReader on purpose: net/http skips its own 10 MB cap on
// urlencoded forms for a body wrapped in that one, and etcd's error 210
// "http: POST too large" for a 10 MB+ keys body comes from that cap
// (contract §1.11).
type cappedBody struct {
	io.ReadCloser
	left, limit int64
}

// Read reads on while under the cap.
func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body at the limit from one over it.
		var one [1]byte
		if n, _ := b.ReadCloser.Read(one[:]); n > 0 {
			return 0, &http.MaxBytesError{Limit: b.limit}
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// IsBodyTooLarge reports whether err comes from reading a body past the
// cap Wrap installs, for handlers that want to answer it specially.
func IsBodyTooLarge(err error) bool {
	var e *http.MaxBytesError
	return errors.As(err, &e)
}
