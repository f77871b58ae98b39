package client

import "fmt"

// RequestTrace describes one HTTP request as it is about to be sent to one
// endpoint; Config.OnRequest receives it.
type RequestTrace struct {
	// Method is the HTTP method, e.g. "PUT".
	Method string
	// URL is the full request URL, query included.
	URL string
	// Endpoint is the endpoint the request goes to.
	Endpoint string
	// Body is the request body; HasBody tells an empty body from none.
	Body    []byte
	HasBody bool
}

// Curl renders the request as the curl command etcdctl --debug prints after
// "cURL Command: ", e.g.
//
//	curl -X PUT http://127.0.0.1:2379/v2/keys/a?prevExist=false -d "value=1"
//
// Credentials are not shown, as etcdctl does not show them.
func (t RequestTrace) Curl() string {
	s := fmt.Sprintf("curl -X %s %s", t.Method, t.URL)
	if t.HasBody {
		s += fmt.Sprintf(" -d %q", t.Body)
	}
	return s
}
