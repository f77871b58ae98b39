package v2http

import (
	"net/http"
	"slices"
)

// cors adds the CORS headers of contract §1.5 to every response of the client
// port and answers OPTIONS itself with 200 and no body (§1.1), for any path.
// With "*" allowed every response carries "Access-Control-Allow-Origin: *";
// otherwise only a request whose Origin is listed gets the headers, naming
// that origin.
type cors struct {
	origins []string
	any     bool // origins holds "*"
}

func newCORS(origins []string) cors {
	if len(origins) == 0 {
		origins = []string{"*"}
	}
	return cors{origins: origins, any: slices.Contains(origins, "*")}
}

// handle adds the headers, and reports whether it answered the request
// (OPTIONS).
func (c cors) handle(w http.ResponseWriter, r *http.Request) bool {
	if c.any {
		addAnyOriginHeaders(w.Header())
	} else if origin := r.Header.Get("Origin"); origin != "" && slices.Contains(c.origins, origin) {
		addCORSHeaders(w.Header(), origin)
	}
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusOK)
		return true
	}
	return false
}

// The header values for "*", shared by every response: each slice has room
// for its one value only, so an Add to one copies instead of writing into
// the shared array, and nothing in the server writes into a value slice.
var (
	corsMethods     = []string{"POST, GET, OPTIONS, PUT, DELETE"}
	corsAnyOrigin   = []string{"*"}
	corsHeaderNames = []string{"accept, content-type, authorization"}
)

// addAnyOriginHeaders is addCORSHeaders(h, "*") without allocating.
func addAnyOriginHeaders(h http.Header) {
	h["Access-Control-Allow-Methods"] = corsMethods[0:1:1]
	h["Access-Control-Allow-Origin"] = corsAnyOrigin[0:1:1]
	h["Access-Control-Allow-Headers"] = corsHeaderNames[0:1:1]
}

func addCORSHeaders(h http.Header, origin string) {
	// Three Header.Set calls (the keys are canonical) with one allocation:
	// each value slice has room for its one value only, so a later Add
	// copies instead of writing into its neighbour.
	v := []string{corsMethods[0], origin, corsHeaderNames[0]}
	h["Access-Control-Allow-Methods"] = v[0:1:1]
	h["Access-Control-Allow-Origin"] = v[1:2:2]
	h["Access-Control-Allow-Headers"] = v[2:3:3]
}
