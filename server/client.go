package server

import (
	"net/http"

	"skiff/server/v2http"
)

// newClientHandler builds the client API (/v2/keys, /v2/members, /v2/stats,
// /version, /health, /metrics) over s. Its /metrics serves the member's
// registry, so the raft and WAL metrics appear next to the HTTP ones.
func newClientHandler(s *Server) (http.Handler, error) {
	return v2http.New(v2http.Config{
		Server:         s,
		Logger:         s.lg,
		CORS:           s.cfg.CORS,
		Registry:       s.reg,
		EnablePprof:    s.cfg.EnablePprof,
		RequestTimeout: s.requestTimeout(),
		Done:           s.closing,
		Now:            s.now,
	})
}
