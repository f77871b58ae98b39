package v2http

import (
	"encoding/json"
	"net/http"
)

// writeJSON writes v as JSON with a trailing newline (json.Encoder), the
// shape of etcd's member documents.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
