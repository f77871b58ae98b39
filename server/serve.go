package server

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"time"

	"skiff/server/limits"
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
		s.peerServers = append(s.peerServers, s.serve(ln, s.transport.Handler(), nil))
	}
	var lim limits.Config // the defaults: see server/limits
	for _, ln := range s.clientLns {
		srv := s.serve(ln, lim.Wrap(s.clientHandler), lim.Apply)
		s.clientServers = append(s.clientServers, srv)
	}
	s.peerLns, s.clientLns = nil, nil
	s.loopRunning.Store(true)
	go s.run()
	s.bgWG.Add(4)
	if s.cfg.ForceNewCluster {
		// The member records are fixed before this member publishes, so
		// once it has, /v2/members lists it with its client URLs.
		s.bgWG.Add(1)
		go func() {
			s.fixMembersAfterForce()
			s.publishLoop()
		}()
	} else {
		go s.publishLoop()
	}
	go s.syncLoop()
	go s.removalWatch()
	go s.readLoop()
	s.lg.Info("member started", "name", s.cfg.Name, "member", hexID(s.id), "cluster", hexID(s.clusterID),
		"peer-urls", s.peerURLs, "client-urls", s.clientURLs)
	return nil
}

// listen opens the peer and client listeners (or takes those handed in), so
// that a port in use or a bad certificate is reported before anything is
// written to the data dir. https URLs are served with TLS (tls.go); an
// --auto-tls certificate is the one thing written before (under
// <data-dir>/fixtures, as etcd).
func (s *Server) listen() error {
	peerTLS, err := s.serverTLS(s.cfg.PeerTLS, slices.Concat(s.cfg.ListenPeerURLs, s.cfg.InitialAdvertisePeerURLs), "peer")
	if err != nil {
		return err
	}
	clientTLS, err := s.serverTLS(s.cfg.ClientTLS, slices.Concat(s.cfg.ListenClientURLs, s.cfg.AdvertiseClientURLs), "client")
	if err != nil {
		return err
	}
	s.peerLns, s.peerURLs, err = listeners(s.opts.PeerListeners, s.cfg.ListenPeerURLs, peerTLS, "--listen-peer-urls")
	if err != nil {
		return err
	}
	s.clientLns, s.clientURLs, err = listeners(s.opts.ClientListeners, s.cfg.ListenClientURLs, clientTLS, "--listen-client-urls")
	if err != nil {
		closeListeners(s.peerLns)
		return err
	}
	return nil
}

// listeners returns the listeners handed in, or listens on the URLs, and the
// URLs they serve. A listener for an https URL (or, for those handed in, when
// the first URL is https) is wrapped in TLS.
func listeners(given []net.Listener, urls []url.URL, tlsCfg *tls.Config, setting string) ([]net.Listener, []string, error) {
	var lns []net.Listener
	var served []string
	add := func(ln net.Listener, scheme string) {
		if scheme == "https" {
			ln = tls.NewListener(ln, tlsCfg)
		}
		lns = append(lns, ln)
		served = append(served, scheme+"://"+ln.Addr().String())
	}
	if len(given) > 0 {
		scheme := "http"
		if len(urls) > 0 && urls[0].Scheme == "https" && tlsCfg != nil {
			scheme = "https"
		}
		for _, ln := range given {
			add(ln, scheme)
		}
		return lns, served, nil
	}
	for _, u := range urls {
		if u.Scheme != "http" && (u.Scheme != "https" || tlsCfg == nil) {
			closeListeners(lns)
			return nil, nil, fmt.Errorf("%s: %s: skiff serves http, or https with a certificate; use one of those", setting, u.String())
		}
		ln, err := net.Listen("tcp", u.Host)
		if err != nil {
			closeListeners(lns)
			return nil, nil, fmt.Errorf("%s: cannot listen on %s (%w); stop whatever uses the port or choose another URL", setting, u.Host, err)
		}
		add(ln, u.Scheme)
	}
	return lns, served, nil
}

func closeListeners(lns []net.Listener) {
	for _, ln := range lns {
		ln.Close()
	}
}

// serve serves h on ln in its own goroutine. The header timeout bounds a
// client that never finishes its request; configure, when set, adds the
// client API's limits (server/limits) to the http.Server.
func (s *Server) serve(ln net.Listener, h http.Handler, configure func(*http.Server)) *http.Server {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(s.lg.Handler(), slog.LevelDebug)}
	if configure != nil {
		configure(srv)
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.lg.Warn("a listener stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
	return srv
}
