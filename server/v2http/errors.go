package v2http

import (
	"encoding/json"
	"net/http"
	"strings"
)

// allowMethod reports whether method is one of allowed; if not it answers
// 405 with the Allow header listing them comma-separated (no spaces) and the
// plain-text body "Method Not Allowed", as etcd does (§1.1, §3).
func allowMethod(w http.ResponseWriter, method string, allowed ...string) bool {
	for _, m := range allowed {
		if m == method {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(allowed, ","))
	http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
	return false
}

// writeJSON writes v as JSON with a trailing newline (json.Encoder), the
// shape of etcd's member documents.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
