package server

import (
	"net/http"

	"skiff/server/v2auth"
	"skiff/server/v2http"
)

// newClientHandler builds the client API (/v2/keys, /v2/members, /v2/stats,
// /v2/auth, /version, /health, /metrics) over s. v2 auth (server/v2auth)
// keeps its users and roles in the store's Auth namespace through s.Do, and
// is the API's Authorizer. /metrics serves the member's registry, so the raft
// and WAL metrics appear next to the HTTP ones.
func newClientHandler(s *Server) (http.Handler, error) {
	auth, err := v2auth.New(v2auth.Config{
		Member:         s,
		ClientCertAuth: s.cfg.ClientTLS.ClientCertAuth,
		RequestTimeout: s.requestTimeout(),
		Now:            s.now,
		Logger:         s.lg,
	})
	if err != nil {
		return nil, err
	}
	return v2http.New(v2http.Config{
		Server:         s,
		Logger:         s.lg,
		CORS:           s.cfg.CORS,
		Registry:       s.reg,
		EnablePprof:    s.cfg.EnablePprof,
		Authorizer:     auth,
		AuthHandler:    auth.Handler(),
		RequestTimeout: s.requestTimeout(),
		Done:           s.closing,
		Now:            s.now,
	})
}
