package cluster

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"skiff/server"
	"skiff/server/config"
	"skiff/wal/vfs"
)

// Member is one member of a Cluster: its name, data dir and the loopback
// addresses it keeps across restarts, and the running server if any.
type Member struct {
	Name       string
	Dir        string // --data-dir
	PeerAddr   string // host:port of the peer listener
	ClientAddr string // host:port of the client listener

	c     *Cluster
	index int
	id    uint64 // learnt at the first start; derived from the peer URL

	mu      sync.Mutex
	srv     *server.Server
	lns     []net.Listener // the port-0 listeners for the first start
	logFile *os.File

	clockOffset atomic.Int64 // nanoseconds added to the member's clock
	fs          *vfs.MemFS   // the member's disk when Config.MemFS; guarded by mu
	joins       bool         // added at runtime: --initial-cluster-state existing
	removed     atomic.Bool  // removed from the cluster: never restarted
}

// newMember reserves member i's ports by listening on port 0; the
// listeners are handed to its first start.
func newMember(c *Cluster, i int) (*Member, error) {
	name := fmt.Sprintf("m%d", i+1)
	m := &Member{Name: name, Dir: filepath.Join(c.root, name), c: c, index: i}
	for range 2 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			closeAll(m.lns)
			return nil, err
		}
		m.lns = append(m.lns, ln)
	}
	m.PeerAddr, m.ClientAddr = m.lns[0].Addr().String(), m.lns[1].Addr().String()
	f, err := os.OpenFile(filepath.Join(c.root, name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		closeAll(m.lns)
		return nil, err
	}
	m.logFile = f
	if c.cfg.MemFS {
		m.fs = vfs.NewMemFS()
	}
	return m, nil
}

// ClientURL is the member's client URL.
func (m *Member) ClientURL() string { return "http://" + m.ClientAddr }

// PeerURL is the member's peer URL.
func (m *Member) PeerURL() string { return "http://" + m.PeerAddr }

// ID is the member's ID (known once it has started).
func (m *Member) ID() uint64 { return m.id }

// Server is the running server, or nil while the member is down.
func (m *Member) Server() *server.Server {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.srv == nil {
		return nil
	}
	select {
	case <-m.srv.Done():
		return nil
	default:
		return m.srv
	}
}

// Dirs are the member's data, WAL and snapshot directories.
func (m *Member) Dirs() config.Dirs {
	cfg, err := m.config()
	if err != nil {
		panic("cluster: " + err.Error())
	}
	return cfg.Dirs()
}

// config is the member's command line, parsed as cmd/skiff would.
func (m *Member) config() (*config.Config, error) {
	c := m.c
	args := []string{
		"--name", m.Name, "--data-dir", m.Dir,
		"--listen-peer-urls", m.PeerURL(), "--initial-advertise-peer-urls", m.PeerURL(),
		"--listen-client-urls", m.ClientURL(), "--advertise-client-urls", m.ClientURL(),
		"--initial-cluster", c.initialCluster(), "--initial-cluster-token", c.token,
		"--heartbeat-interval", strconv.FormatInt(c.cfg.Heartbeat.Milliseconds(), 10),
		"--election-timeout", strconv.FormatInt(c.cfg.Election.Milliseconds(), 10),
	}
	if m.joins {
		args = append(args, "--initial-cluster-state", "existing")
	}
	if c.cfg.SnapshotCount > 0 {
		args = append(args, "--snapshot-count", strconv.FormatUint(c.cfg.SnapshotCount, 10))
	}
	return config.Parse(append(args, c.cfg.Extra...), nil)
}

// start builds and starts the member on its data dir and ports.
func (m *Member) start() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.srv != nil {
		select {
		case <-m.srv.Done(): // it stopped on its own (Cluster.start noted why)
			m.srv = nil
		default:
			return fmt.Errorf("member %s is already running", m.Name)
		}
	}
	cfg, err := m.config()
	if err != nil {
		return fmt.Errorf("member %s: %w", m.Name, err)
	}
	lns := m.lns
	m.lns = nil
	if lns == nil {
		if lns, err = relisten(m.PeerAddr, m.ClientAddr); err != nil {
			return fmt.Errorf("member %s: %w", m.Name, err)
		}
	}
	var fsys vfs.FS // nil: the real file system
	if m.fs != nil {
		fsys = m.fs
	}
	s, err := server.New(cfg, server.Options{
		FS:                     fsys,
		PeerListeners:          []net.Listener{&faultListener{Listener: lns[0], c: m.c}},
		ClientListeners:        lns[1:],
		Logger:                 m.logger(),
		Now:                    m.now,
		SnapshotCatchUpEntries: m.c.cfg.SnapshotCatchUpEntries,
	})
	if err != nil {
		closeAll(lns)
		return fmt.Errorf("member %s: %w", m.Name, err)
	}
	if err := s.Start(); err != nil {
		s.Kill()
		return fmt.Errorf("member %s: %w", m.Name, err)
	}
	m.srv, m.id = s, uint64(s.ID())
	return nil
}

// stop stops the member, gracefully or as kill -9 would; a member that is
// down already is left alone. It returns the error that had stopped it.
func (m *Member) stop(graceful bool) error {
	m.mu.Lock()
	s := m.srv
	m.srv = nil
	lns := m.lns
	m.lns = nil
	m.mu.Unlock()
	closeAll(lns)
	if s == nil {
		return nil
	}
	m.c.noteFailure(m, s)
	if graceful {
		return s.Stop()
	}
	s.Kill()
	return nil
}

// now is the member's clock: the real one plus the test's skew.
func (m *Member) now() time.Time {
	return time.Now().Add(time.Duration(m.clockOffset.Load()))
}

// logger writes the member's log to <root>/<name>.log, and to stderr as
// well when SKIFF_TEST_LOG is set.
func (m *Member) logger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if os.Getenv("SKIFF_TEST_LOG") != "" {
		opts.Level = slog.LevelDebug
		return slog.New(slog.NewTextHandler(os.Stderr, opts)).With("m", m.Name)
	}
	return slog.New(slog.NewTextHandler(m.logFile, opts)).With("m", m.Name)
}

func (m *Member) closeLog() {
	if m.logFile != nil {
		m.logFile.Close()
	}
}

// relisten listens again on a restarted member's addresses. The kernel may
// hold a port briefly after the old listener closed, so it retries.
func relisten(addrs ...string) ([]net.Listener, error) {
	var lns []net.Listener
	for _, addr := range addrs {
		var ln net.Listener
		var err error
		for try := 0; try < 100; try++ {
			if ln, err = net.Listen("tcp", addr); err == nil || !errors.Is(err, syscall.EADDRINUSE) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err != nil {
			closeAll(lns)
			return nil, fmt.Errorf("cannot listen again on %s: %w", addr, err)
		}
		lns = append(lns, ln)
	}
	return lns, nil
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		ln.Close()
	}
}
