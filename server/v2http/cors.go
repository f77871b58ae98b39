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
	next    http.Handler
}

func newCORS(origins []string, next http.Handler) http.Handler {
	if len(origins) == 0 {
		origins = []string{"*"}
	}
	return &cors{origins: origins, next: next}
}

func (c *cors) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if slices.Contains(c.origins, "*") {
		addCORSHeaders(w.Header(), "*")
	} else if origin := r.Header.Get("Origin"); origin != "" && slices.Contains(c.origins, origin) {
		addCORSHeaders(w.Header(), origin)
	}
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusOK)
		return
	}
	c.next.ServeHTTP(w, r)
}

func addCORSHeaders(h http.Header, origin string) {
	// Three Header.Set calls (the keys are canonical) with one allocation:
	// each value slice has room for its one value only, so a later Add
	// copies instead of writing into its neighbour.
	v := []string{"POST, GET, OPTIONS, PUT, DELETE", origin, "accept, content-type, authorization"}
	h["Access-Control-Allow-Methods"] = v[0:1:1]
	h["Access-Control-Allow-Origin"] = v[1:2:2]
	h["Access-Control-Allow-Headers"] = v[2:3:3]
}
