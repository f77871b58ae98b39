package ctl

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The measured loop of check perf does not use the client package. On a
// small machine the load generator shares the cores with the members under
// test, and net/http plus JSON decoding cost about as much CPU per request
// as the three members together spend serving a read, which pulled every
// skiff/etcd ratio towards 1x. Each worker instead owns one kept-alive
// connection and speaks just enough HTTP/1.1 for the three requests check
// perf sends: a request is written with one Write from a reused buffer and
// the answer's body is read past, never decoded. Preload, cleanup and the
// reports still go through the client package.

// perfTarget is one endpoint as the raw loop talks to it. Every request is
// head[kind], the key's number as check perf's key names spell it, then
// tail[kind]: the rest of the request line, the headers and the body are
// fixed for the whole run, so they are built once.
type perfTarget struct {
	addr string      // host:port to dial
	tls  *tls.Config // nil for an http endpoint
	head [numOpKinds]string
	tail [numOpKinds]string
}

// perfTargets builds a target per endpoint for keys under prefix, PUTs
// carrying value. user (with pass) adds HTTP Basic credentials.
func perfTargets(endpoints []string, tlsCfg *tls.Config, user, pass, prefix, value string) ([]*perfTarget, error) {
	var auth string
	if user != "" {
		auth = "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass)) + "\r\n"
	}
	form := url.Values{"value": {value}}.Encode()
	var out []*perfTarget
	for _, ep := range endpoints {
		u, err := url.Parse(ep)
		if err != nil {
			return nil, fmt.Errorf("check perf: bad endpoint %q: %w", ep, err)
		}
		t := &perfTarget{addr: u.Host}
		if u.Port() == "" {
			port := "80"
			if u.Scheme == "https" {
				port = "443"
			}
			t.addr = net.JoinHostPort(u.Hostname(), port)
		}
		if u.Scheme == "https" {
			t.tls = &tls.Config{MinVersion: tls.VersionTLS12}
			if tlsCfg != nil {
				t.tls = tlsCfg.Clone()
			}
			if t.tls.ServerName == "" {
				t.tls.ServerName = u.Hostname()
			}
		}
		// The client package cleans a key's path; "<prefix>/k0000042" cleans
		// to the cleaned prefix followed by "/k0000042", so the request
		// names the same key as the preload's did.
		keys := strings.TrimSuffix("/v2/keys"+path.Clean(prefix), "/") + "/k"
		p := (&url.URL{Path: strings.TrimSuffix(u.Path, "/") + keys}).EscapedPath()
		headers := " HTTP/1.1\r\nHost: " + u.Host + "\r\n" + auth
		t.head = [numOpKinds]string{opWrite: "PUT " + p, opRead: "GET " + p, opQuorum: "GET " + p}
		t.tail = [numOpKinds]string{
			opWrite: headers + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
				strconv.Itoa(len(form)) + "\r\n\r\n" + form,
			opRead:   headers + "\r\n",
			opQuorum: "?quorum=true" + headers + "\r\n",
		}
		out = append(out, t)
	}
	return out, nil
}

// perfKeyDigits is the width of the key number in check perf's key names
// (perfKey: k0000042).
const perfKeyDigits = 7

// perfConn is one worker's connection. It is not safe for concurrent use:
// each worker has its own.
//
// Invariants:
//  1. conn and br are both nil or both set; br reads conn.
//  2. When conn is set, it is at the start of a response boundary: every
//     answer so far has been read to its end.
type perfConn struct {
	ctx     context.Context
	targets []*perfTarget // tried in order when (re)connecting
	timeout time.Duration // bounds one exchange, connecting included; 0: none
	renewAt time.Time     // when conn's deadline is to be moved on; see renewDeadline
	cur     *perfTarget   // the target conn is connected to
	conn    net.Conn
	br      *bufio.Reader
	stop    func() bool // stops the watch on ctx for conn
	req     []byte      // the request being sent, reused
	errBody []byte      // the start of a failed answer's body, for its error
}

// newPerfConn is a connection that reaches the first of targets that
// answers, and gives up an exchange when ctx is done.
func newPerfConn(ctx context.Context, targets []*perfTarget, timeout time.Duration) *perfConn {
	return &perfConn{ctx: ctx, targets: targets, timeout: timeout}
}

// perfStatusError is an answer with a status other than the operation's
// success, with the start of its body (for etcd and skiff, the v2 error).
type perfStatusError struct {
	request string // "PUT /v2/keys/skiffctl-perf/k0000042"
	status  int
	body    string
}

func (e *perfStatusError) Error() string {
	return fmt.Sprintf("%s: status %d: %s", e.request, e.status, strings.TrimSpace(e.body))
}

// do sends one operation on key number key and reads its answer; now is
// about the time it starts. A PUT succeeds with 200 or 201, a GET with 200;
// any other status is an error. After a network or protocol error the
// connection is dropped and the next call connects again.
func (c *perfConn) do(kind opKind, key int, now time.Time) error {
	if c.conn == nil {
		if err := c.connect(); err != nil {
			return err
		}
	}
	if err := c.renewDeadline(now); err != nil {
		return err
	}
	c.req = append(c.req[:0], c.cur.head[kind]...)
	c.req = appendKeyNumber(c.req, key)
	c.req = append(c.req, c.cur.tail[kind]...)
	if _, err := c.conn.Write(c.req); err != nil {
		c.close()
		return fmt.Errorf("sending to %s: %w", c.cur.addr, err)
	}
	status, keep, err := c.readResponse(kind)
	if err != nil {
		c.close()
		return fmt.Errorf("reading the answer from %s: %w", c.cur.addr, err)
	}
	if !keep {
		c.close()
	}
	if succeeded(kind, status) {
		return nil
	}
	line, _, _ := bytes.Cut(c.req, []byte(" HTTP/1.1\r\n"))
	return &perfStatusError{request: string(line), status: status, body: string(c.errBody)}
}

// succeeded says whether status is the success of an operation of kind:
// 200 or 201 (created) for a PUT, 200 for a GET.
func succeeded(kind opKind, status int) bool {
	return status == 200 || status == 201 && kind == opWrite
}

// renewDeadline keeps the connection's deadline at least c.timeout after
// now. Moving it costs two timer updates in the runtime, a few percent of
// an exchange, so it is moved by 1.5 timeouts once half a timeout has
// passed: every exchange still gets at least the timeout, and at most one
// and a half.
func (c *perfConn) renewDeadline(now time.Time) error {
	if c.timeout <= 0 || now.Before(c.renewAt) {
		return nil
	}
	if err := c.conn.SetDeadline(now.Add(c.timeout * 3 / 2)); err != nil {
		c.close()
		return err
	}
	c.renewAt = now.Add(c.timeout / 2)
	if err := c.ctx.Err(); err != nil {
		return err // interrupted just before the deadline above replaced the one that wakes us
	}
	return nil
}

// appendKeyNumber appends key zero-padded to perfKeyDigits, as perfKey's
// %07d does, without fmt's allocation.
func appendKeyNumber(b []byte, key int) []byte {
	var digits [20]byte
	n := strconv.AppendInt(digits[:0], int64(key), 10)
	for i := len(n); i < perfKeyDigits; i++ {
		b = append(b, '0')
	}
	return append(b, n...)
}

// connect dials the targets in order and keeps the first that answers.
func (c *perfConn) connect() error {
	var errs []error
	for _, t := range c.targets {
		conn, err := c.dial(t)
		if err == nil {
			c.cur, c.conn, c.renewAt = t, conn, time.Time{}
			c.br = bufio.NewReader(conn)
			// An interrupted run (^C) must not wait for a slow answer:
			// a deadline in the past wakes the pending read or write.
			c.stop = context.AfterFunc(c.ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
			return nil
		}
		errs = append(errs, err)
	}
	return fmt.Errorf("connecting: %w", errors.Join(errs...))
}

// dial connects to t, with the TLS handshake for an https endpoint.
func (c *perfConn) dial(t *perfTarget) (net.Conn, error) {
	ctx, cancel := c.ctx, context.CancelFunc(func() {})
	if c.timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
	}
	defer cancel()
	// The one-second dial timeout is the client package's: a dead endpoint
	// must not hold up trying the next one.
	conn, err := (&net.Dialer{Timeout: time.Second, KeepAlive: 30 * time.Second}).DialContext(ctx, "tcp", t.addr)
	if err != nil {
		return nil, err
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		if conn, err = newRawTCP(tcp); err != nil {
			tcp.Close()
			return nil, err
		}
	}
	if t.tls == nil {
		return conn, nil
	}
	tc := tls.Client(conn, t.tls)
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return tc, nil
}

// close drops the connection; the next exchange makes a new one.
func (c *perfConn) close() {
	if c.conn == nil {
		return
	}
	c.stop()
	c.conn.Close()
	c.conn, c.br, c.stop = nil, nil, nil
}

// errMalformed is an answer that is not the HTTP/1.1 check perf expects.
var errMalformed = errors.New("malformed HTTP answer")

// readResponse reads one answer to its end: the status line, the headers
// and the body, which is read past (by Content-Length, chunked encoding,
// or up to the end of the connection). keep is false when the connection
// cannot carry another request. When the status is not kind's success the
// start of the body is kept in errBody.
func (c *perfConn) readResponse(kind opKind) (status int, keep bool, err error) {
	for {
		line, err := c.readLine()
		if err != nil {
			return 0, false, err
		}
		// "HTTP/1.1 200 OK": the version, a space, three digits.
		if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
			return 0, false, fmt.Errorf("%w: status line %q", errMalformed, line)
		}
		status, err = strconv.Atoi(string(line[9:12]))
		if err != nil || status < 100 {
			return 0, false, fmt.Errorf("%w: status line %q", errMalformed, line)
		}
		keep = line[7] == '1' // HTTP/1.0 answers close unless told otherwise; check perf does not ask
		length, chunked, keepHeader, err := c.readHeaders()
		if err != nil {
			return 0, false, err
		}
		keep = keep && keepHeader
		if status >= 200 {
			toEOF := !chunked && length < 0 && status != 204 && status != 304
			return status, keep && !toEOF, c.readBody(status, length, chunked, !succeeded(kind, status))
		}
		// 1xx: an interim answer; the real one follows.
	}
}

// readLine is the next line without its CRLF (or LF). It stays valid only
// until the next read.
func (c *perfConn) readLine() ([]byte, error) {
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("%w: a line longer than %d bytes", errMalformed, c.br.Size())
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// readHeaders reads the headers up to the blank line, keeping the three
// that say where the body ends and whether the connection stays open.
// length is -1 when there is no Content-Length.
func (c *perfConn) readHeaders() (length int64, chunked, keep bool, err error) {
	length, keep = -1, true
	for {
		line, err := c.readLine()
		if err != nil {
			return 0, false, false, err
		}
		if len(line) == 0 {
			return length, chunked, keep, nil
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, false, false, fmt.Errorf("%w: header line %q", errMalformed, line)
		}
		value = bytes.TrimSpace(value)
		// The length goes first: most headers (Date, X-Etcd-Index, ...) are
		// none of the three, and a length is cheaper to compare than a name.
		switch {
		case len(name) == len("Content-Length") && bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.ParseInt(string(value), 10, 64); err != nil || length < 0 {
				return 0, false, false, fmt.Errorf("%w: Content-Length %q", errMalformed, value)
			}
		case len(name) == len("Transfer-Encoding") && bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
			if !chunked {
				return 0, false, false, fmt.Errorf("%w: Transfer-Encoding %q", errMalformed, value)
			}
		case len(name) == len("Connection") && bytes.EqualFold(name, []byte("Connection")):
			keep = !bytes.EqualFold(value, []byte("close"))
		}
	}
}

// readBody reads past the body of an answer with status, keeping its
// start in errBody when keepStart.
func (c *perfConn) readBody(status int, length int64, chunked, keepStart bool) error {
	c.errBody = c.errBody[:0]
	switch {
	case status == 204 || status == 304:
		return nil
	case chunked:
		return c.readChunks(keepStart)
	case length >= 0:
		return c.skip(length, keepStart)
	}
	// Neither: the body runs to the end of the connection (RFC 9112 §6.3).
	_, err := c.skipAll(keepStart)
	return err
}

// readChunks reads past a chunked body and its trailers.
func (c *perfConn) readChunks(keepStart bool) error {
	for {
		line, err := c.readLine()
		if err != nil {
			return err
		}
		hex, _, _ := bytes.Cut(line, []byte(";")) // chunk extensions are ignored
		size, err := strconv.ParseInt(string(bytes.TrimSpace(hex)), 16, 64)
		if err != nil || size < 0 {
			return fmt.Errorf("%w: chunk size %q", errMalformed, line)
		}
		if size == 0 {
			break
		}
		if err := c.skip(size, keepStart); err != nil {
			return err
		}
		if crlf, err := c.readLine(); err != nil || len(crlf) != 0 {
			return fmt.Errorf("%w: no line end after a chunk", errMalformed)
		}
	}
	for { // trailers, up to the blank line
		line, err := c.readLine()
		if err != nil || len(line) == 0 {
			return err
		}
	}
}

// errBodyMax bounds how much of a failed answer goes into its error.
const errBodyMax = 512

// skip reads past n bytes of body, keeping the start in errBody when
// keepStart.
func (c *perfConn) skip(n int64, keepStart bool) error {
	if keepStart && len(c.errBody) < errBodyMax {
		take := min(n, int64(errBodyMax-len(c.errBody)))
		start := len(c.errBody)
		c.errBody = append(c.errBody, make([]byte, take)...)
		if _, err := io.ReadFull(c.br, c.errBody[start:]); err != nil {
			return err
		}
		n -= take
	}
	for n > 0 {
		step := int(min(n, 1<<30))
		d, err := c.br.Discard(step)
		n -= int64(d)
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return nil
}

// skipAll reads past everything up to the end of the connection.
func (c *perfConn) skipAll(keepStart bool) (int64, error) {
	var buf [4096]byte
	var total int64
	for {
		n, err := c.br.Read(buf[:])
		if keepStart && len(c.errBody) < errBodyMax {
			c.errBody = append(c.errBody, buf[:min(n, errBodyMax-len(c.errBody))]...)
		}
		total += int64(n)
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// rawTCP is a TCP connection whose reads and writes are made without
// telling the Go scheduler that a system call is under way. A read or
// write on a non-blocking socket over loopback returns at once, so there
// is nothing for the scheduler to hand off; but the ordinary path wakes
// the runtime's monitor thread whenever the process comes back from being
// idle, and under check perf's load (every worker waiting for an answer,
// many times a millisecond) those wake-ups cost more CPU than the
// exchange itself. Waiting for the socket, deadlines and closing are the
// TCPConn's, through its RawConn.
//
// The functions handed to the RawConn are made once per connection, with
// what they read and write in the struct, so an exchange allocates nothing.
type rawTCP struct {
	*net.TCPConn
	rc syscall.RawConn

	in      []byte // the buffer of the Read under way
	got     int    // what it read
	inErr   syscall.Errno
	readFD  func(fd uintptr) bool
	out     []byte // the bytes of the Write under way
	sent    int    // how many of them are written
	outErr  syscall.Errno
	writeFD func(fd uintptr) bool
}

func newRawTCP(c *net.TCPConn) (*rawTCP, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	r := &rawTCP{TCPConn: c, rc: rc}
	r.readFD, r.writeFD = r.readOnce, r.writeAll
	return r, nil
}

// Read reads what the socket holds, waiting until it holds something.
func (c *rawTCP) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c.in = p
	err := c.rc.Read(c.readFD)
	c.in = nil
	switch {
	case err != nil:
		return 0, err
	case c.inErr != 0:
		return 0, os.NewSyscallError("read", c.inErr)
	case c.got == 0:
		return 0, io.EOF
	}
	return c.got, nil
}

// readOnce is one read(2) of fd into c.in; false means "nothing yet, wait".
func (c *rawTCP) readOnce(fd uintptr) bool {
	r, _, e := unix.RawSyscall(unix.SYS_READ, fd, uintptr(unsafe.Pointer(&c.in[0])), uintptr(len(c.in)))
	c.got, c.inErr = int(r), e
	return e != unix.EAGAIN
}

// Write writes all of p, waiting for room in the socket when it is full.
func (c *rawTCP) Write(p []byte) (int, error) {
	c.out, c.sent, c.outErr = p, 0, 0
	err := c.rc.Write(c.writeFD)
	c.out = nil
	switch {
	case err != nil:
		return c.sent, err
	case c.outErr != 0:
		return c.sent, os.NewSyscallError("write", c.outErr)
	}
	return c.sent, nil
}

// writeAll writes c.out to fd until all of it is sent or the socket is
// full (false: wait for room) or fails.
func (c *rawTCP) writeAll(fd uintptr) bool {
	for c.sent < len(c.out) {
		r, _, e := unix.RawSyscall(unix.SYS_WRITE, fd, uintptr(unsafe.Pointer(&c.out[c.sent])), uintptr(len(c.out)-c.sent))
		if e == unix.EAGAIN {
			return false
		}
		if e != 0 {
			c.outErr = e
			return true
		}
		c.sent += int(r)
	}
	return true
}
