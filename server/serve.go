package server

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Start serves the peer and client listeners and starts the raft loop and
// the member's background work: publishing its attributes and, while it
// leads, the TTL sweep. It returns once everything is listening.
func (s *Server) Start() error {
	err := errors.New("server: Start called twice")
	s.startOnce.Do(func() { err = s.start() })
	return err
}

func (s *Server) start() error {
	h, err := newClientHandler(s)
	if err != nil {
		return fmt.Errorf("cannot build the client API: %w", err)
	}
	s.clientHandler = h
	for _, ln := range s.peerLns {
		s.peerServers = append(s.peerServers, s.serve(ln, s.transport.Handler()))
	}
	for _, ln := range s.clientLns {
		s.clientServers = append(s.clientServers, s.serve(ln, s.clientHandler))
	}
	s.peerLns, s.clientLns = nil, nil
	s.loopRunning.Store(true)
	go s.run()
	s.bgWG.Add(2)
	go s.publishLoop()
	go s.syncLoop()
	if s.cfg.ForceNewCluster {
		s.bgWG.Add(1)
		go s.fixMembersAfterForce()
	}
	s.lg.Info("member started", "name", s.cfg.Name, "member", hexID(s.id), "cluster", hexID(s.clusterID),
		"peer-urls", s.peerURLs, "client-urls", s.clientURLs)
	return nil
}

// listen opens the peer and client listeners (or takes those handed in), so
// that a port in use is reported before anything is written to the data dir.
func (s *Server) listen() error {
	peerLns, err := s.listeners(s.opts.PeerListeners, s.cfg.ListenPeerURLs, "--listen-peer-urls")
	if err != nil {
		return err
	}
	clientLns, err := s.listeners(s.opts.ClientListeners, s.cfg.ListenClientURLs, "--listen-client-urls")
	if err != nil {
		closeListeners(peerLns)
		return err
	}
	s.peerLns, s.clientLns = peerLns, clientLns
	s.peerURLs, s.clientURLs = listenerURLs(peerLns), listenerURLs(clientLns)
	return nil
}

// listeners returns the listeners handed in, or listens on the URLs.
func (s *Server) listeners(given []net.Listener, urls []url.URL, setting string) ([]net.Listener, error) {
	if len(given) > 0 {
		return given, nil
	}
	var lns []net.Listener
	for _, u := range urls {
		if u.Scheme != "http" {
			closeListeners(lns)
			return nil, fmt.Errorf("%s: %s uses %s, but this skiff serves only http; use an http:// URL", setting, u.String(), u.Scheme)
		}
		ln, err := net.Listen("tcp", u.Host)
		if err != nil {
			closeListeners(lns)
			return nil, fmt.Errorf("%s: cannot listen on %s (%w); stop whatever uses the port or choose another URL", setting, u.Host, err)
		}
		lns = append(lns, ln)
	}
	return lns, nil
}

func closeListeners(lns []net.Listener) {
	for _, ln := range lns {
		ln.Close()
	}
}

func listenerURLs(lns []net.Listener) []string {
	var urls []string
	for _, ln := range lns {
		urls = append(urls, "http://"+ln.Addr().String())
	}
	return urls
}

// serve serves h on ln in its own goroutine. The timeouts bound a slow or
// idle client; the raft stream and watch handlers clear them on their own
// connections.
func (s *Server) serve(ln net.Listener, h http.Handler) *http.Server {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.lg.Warn("a listener stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
	return srv
}
