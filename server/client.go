package server

import "net/http"

// newClientHandler returns the client API handler (/v2/keys, /v2/members,
// /v2/stats, /version, /health, /metrics) for s.
func newClientHandler(s *Server) http.Handler {
	// Waiting for server/v2http to land; until then only raft runs.
	return http.NotFoundHandler()
}
