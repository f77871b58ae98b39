package ctl

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"skiff/client"
)

// session is a connected command: the global options and the one client.
type session struct {
	g   globals
	cfg client.Config // what cl was built from, for a second client
	cl  *client.Client
}

// connect builds the client from the global options and, unless --no-sync,
// replaces the endpoints with the cluster's client URLs as etcdctl does
// (contract §5.1, §5.4). A sync that reaches no endpoint fails with exit 2;
// other sync failures are ignored, as etcdctl ignores them.
func (r *runner) connect(c *cli.Context) (*session, error) {
	s, err := r.newSession(c)
	if err != nil {
		return nil, err
	}
	if !s.g.noSync {
		if err := r.sync(s); err != nil {
			return nil, err
		}
	}
	r.printEndpoints(s)
	return s, nil
}

// printEndpoints is --debug's "Cluster-Endpoints: a, b" line.
func (r *runner) printEndpoints(s *session) {
	if s.g.debug {
		fmt.Fprintf(r.Stderr, "Cluster-Endpoints: %s\n", strings.Join(s.cl.Endpoints(), ", "))
	}
}

// sync replaces the session's endpoints with the members' client URLs.
func (r *runner) sync(s *session) error {
	if s.g.debug {
		fmt.Fprintf(r.Stderr, "start to sync cluster using endpoints(%s)\n", strings.Join(s.cl.Endpoints(), ","))
	}
	ctx, cancel := s.withTotalTimeout(r.ctx)
	err := s.cl.Sync(ctx)
	cancel()
	switch {
	case errors.Is(err, client.ErrNoEndpoints):
		fmt.Fprintf(r.Stderr, "etcd cluster has no published client endpoints.\n")
		fmt.Fprintf(r.Stderr, "Try '--no-sync' if you want to access non-published client endpoints(%s).\n", strings.Join(s.cl.Endpoints(), ","))
		return handleError(ExitServerError, err)
	case err != nil && isConnectionError(err):
		return handleError(ExitBadConnection, err)
	}
	if s.g.debug {
		fmt.Fprintf(r.Stderr, "got endpoints(%s) after sync\n", strings.Join(s.cl.Endpoints(), ","))
	}
	return nil
}

// newSession builds the client without syncing. With --debug every
// request is printed as the curl command that repeats it.
func (r *runner) newSession(c *cli.Context) (*session, error) {
	g := r.readGlobals(c)
	cfg, err := r.clientConfig(g)
	if err != nil {
		return nil, exitf(ExitBadArgs, "%s", err.Error())
	}
	if g.debug {
		cfg.OnRequest = func(t client.RequestTrace) {
			fmt.Fprintf(r.Stderr, "cURL Command: %s\n", t.Curl())
		}
	}
	cl, err := client.New(cfg)
	if err != nil {
		return nil, exitf(ExitBadArgs, "%s", err.Error())
	}
	return &session{g: g, cfg: cfg, cl: cl}, nil
}

// clientConfig turns the global options into a client.Config: endpoints
// (SRV records first, then the flags), TLS, credentials and timeouts.
func (r *runner) clientConfig(g globals) (client.Config, error) {
	eps, err := r.srvEndpoints(g)
	if err != nil {
		return client.Config{}, err
	}
	if len(eps) == 0 {
		eps = g.endpoints
	}
	if eps, err = normalizeEndpoints(eps); err != nil {
		return client.Config{}, err
	}
	tlsCfg, err := client.TLSConfig(g.certFile, g.keyFile, g.caFile)
	if err != nil {
		return client.Config{}, err
	}
	if g.srvDomain != "" && !g.insecureSRV {
		if tlsCfg == nil {
			tlsCfg = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		tlsCfg.ServerName = g.srvDomain
	}
	cfg := client.Config{Endpoints: eps, TLS: tlsCfg, HeaderTimeout: g.timeout}
	if g.username != "" {
		if cfg.Username, cfg.Password, err = r.userPassword(g.username, "Password: "); err != nil {
			return client.Config{}, err
		}
	}
	return cfg, nil
}

// userPassword splits "user[:password]", asking for the password after
// prompt when the colon is missing (contract §5.1 --username).
func (r *runner) userPassword(arg, prompt string) (string, string, error) {
	if user, pass, ok := strings.Cut(arg, ":"); ok {
		return user, pass, nil
	}
	pass, err := r.askPassword(prompt)
	return arg, pass, err
}

// withTotalTimeout bounds one command by --total-timeout (watches are not
// bounded; they do not call this).
func (s *session) withTotalTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.g.totalTimeout > 0 {
		return context.WithTimeout(ctx, s.g.totalTimeout)
	}
	return context.WithCancel(ctx)
}

// isConnectionError reports whether err means no endpoint could be
// reached: every attempt of a cluster error failed to dial, read, or in
// time (a refused TLS handshake is not one). Such a failure during sync exits 2 (contract §5.4).
func isConnectionError(err error) bool {
	var ce *client.ClusterError
	if errors.As(err, &ce) {
		for _, e := range ce.Errors {
			if !isConnectionError(e) {
				return false
			}
		}
		return len(ce.Errors) > 0
	}
	// Only a failed dial or read means unreachable, as in etcdctl: a TLS
	// alert ("remote error") reached the server, so it exits 4, not 2.
	var op *net.OpError
	if errors.As(err, &op) {
		return op.Op == "dial" || op.Op == "read" || (op.Err != nil && isConnectionError(op.Err))
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
