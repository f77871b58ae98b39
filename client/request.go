package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// request is one API call before an endpoint is chosen for it.
type request struct {
	method string
	// path is appended to the endpoint's own path, e.g. "/v2/keys/a".
	path  string
	query url.Values
	// body is sent when hasBody is set; an empty body ("-d \"\"" in the
	// trace) is not the same as none.
	body        []byte
	hasBody     bool
	contentType string
	// answer5xx makes a 5xx status an answer to return (GET /health says
	// 503 when unhealthy) instead of a reason to try the next endpoint.
	answer5xx bool
}

// formRequest is a request whose body is the url-encoded form.
func formRequest(method, path string, query, form url.Values) *request {
	return &request{
		method: method, path: path, query: query,
		body: []byte(form.Encode()), hasBody: true,
		contentType: "application/x-www-form-urlencoded",
	}
}

// jsonRequest is a request whose body is v encoded as JSON.
func jsonRequest(method, path string, v any) (*request, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("client: encoding the %s %s body: %w", method, path, err)
	}
	return &request{method: method, path: path, body: body, hasBody: true, contentType: "application/json"}, nil
}

// httpRequest builds the request for endpoint ep.
func (r *request) httpRequest(ctx context.Context, ep url.URL, cfg *Config) (*http.Request, error) {
	u := ep
	u.Path = strings.TrimSuffix(ep.Path, "/") + r.path
	u.RawPath = ""
	u.RawQuery = r.query.Encode()
	var body io.Reader
	if r.hasBody {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("client: building %s %s: %w", r.method, u.String(), err)
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if cfg.Username != "" {
		req.SetBasicAuth(cfg.Username, cfg.Password)
	}
	return req, nil
}

// trace describes req for Config.OnRequest.
func (r *request) trace(req *http.Request, ep url.URL) RequestTrace {
	return RequestTrace{
		Method: r.method, URL: req.URL.String(), Endpoint: ep.String(),
		Body: r.body, HasBody: r.hasBody,
	}
}

// decodeError turns a failed answer into an *Error. Keys errors carry the v2
// body; members, auth and stats send {"message": ...}; anything else (a
// plain-text 404 or 405) keeps its text as the message.
func decodeError(status int, body []byte) *Error {
	e := &Error{}
	if err := json.Unmarshal(body, e); err != nil || (e.Code == 0 && e.Message == "") {
		e = &Error{Message: strings.TrimSpace(string(body))}
		if e.Message == "" {
			e.Message = http.StatusText(status)
		}
	}
	e.StatusCode = status
	return e
}

// parseUint reads a numeric header; a missing or malformed one is 0.
func parseUint(h http.Header, name string) uint64 {
	n, err := strconv.ParseUint(h.Get(name), 10, 64)
	if err != nil {
		return 0
	}
	return n
}
