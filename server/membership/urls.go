package membership

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ParseURL checks one member URL (a peer or client URL) and returns it in
// canonical form, the form that is hashed into member IDs and published.
//
// A member URL has the scheme http or https, a host:port, and nothing else
// (no path, query or user info). etcd also accepts unix and unixs; skiff's
// transport is net/http over TCP, so it does not (docs/configuration.md).
func ParseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL (%v); write it as http://host:port", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("URL %q has scheme %q; skiff needs http or https, as in http://host:port", raw, u.Scheme)
	}
	host, _, err := net.SplitHostPort(u.Host)
	if err != nil {
		return nil, fmt.Errorf("URL %q does not have the form \"host:port\"; add the port, as in %s://%s:2380", raw, u.Scheme, u.Hostname())
	}
	if host == "" {
		return nil, fmt.Errorf("URL %q has no host; name one, as in %s://127.0.0.1%s", raw, u.Scheme, u.Host)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("URL %q must not contain a path, query or user info; keep only scheme://host:port", raw)
	}
	u.Path = ""
	return u, nil
}

// ParseURLs checks a comma-separated list of member URLs with ParseURL.
// Empty items (a trailing comma) are skipped, as etcd skips them; an empty
// list gives an empty, non-nil result.
func ParseURLs(list string) ([]url.URL, error) {
	out := []url.URL{}
	for _, raw := range strings.Split(list, ",") {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		u, err := ParseURL(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, *u)
	}
	return out, nil
}

// URLStrings returns the URLs in canonical string form, in the same order.
func URLStrings(urls []url.URL) []string {
	out := make([]string, len(urls))
	for i := range urls {
		out[i] = urls[i].String()
	}
	return out
}
