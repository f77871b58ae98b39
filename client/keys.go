package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// GetOptions are the flags of a read (etcdctl get and ls).
type GetOptions struct {
	// Recursive returns the whole subtree of a directory.
	Recursive bool
	// Sorted orders children by key at every level.
	Sorted bool
	// Quorum makes the read linearizable: it goes through raft.
	Quorum bool
}

// PrevExist is the prevExist condition of a write.
type PrevExist string

// The prevExist values: not sent, must exist (update), must not (create).
const (
	PrevIgnore  PrevExist = ""
	PrevExists  PrevExist = "true"
	PrevNoExist PrevExist = "false"
)

// SetOptions are the conditions and flags of a PUT (contract §1.2).
type SetOptions struct {
	// PrevValue and PrevIndex make the write a compare-and-swap; 0 and ""
	// mean "not set".
	PrevValue string
	PrevIndex uint64
	// PrevExist makes the write a create (PrevNoExist) or an update
	// (PrevExists).
	PrevExist PrevExist
	// TTL gives the node a lifetime in whole seconds; 0 means none, which
	// also clears an existing TTL.
	TTL time.Duration
	// Refresh resets the TTL of an existing key without changing its value
	// or waking watchers; it needs a TTL and an empty value.
	Refresh bool
	// Dir makes a directory; the value is then not sent.
	Dir bool
	// NoValueOnSuccess asks for a body of only {"action": ...}.
	NoValueOnSuccess bool
}

// DeleteOptions are the conditions and flags of a DELETE.
type DeleteOptions struct {
	// PrevValue and PrevIndex make it a compare-and-delete.
	PrevValue string
	PrevIndex uint64
	// Recursive deletes a directory with everything in it.
	Recursive bool
	// Dir allows deleting an empty directory.
	Dir bool
}

// Get reads key: a file, or a directory listing. It sends
// GET /v2/keys/key?quorum=..&recursive=..&sorted=.. as etcdctl does.
func (c *Client) Get(ctx context.Context, key string, opts *GetOptions) (*Response, error) {
	var o GetOptions
	if opts != nil {
		o = *opts
	}
	q := url.Values{}
	q.Set("quorum", strconv.FormatBool(o.Quorum))
	q.Set("recursive", strconv.FormatBool(o.Recursive))
	q.Set("sorted", strconv.FormatBool(o.Sorted))
	return c.keys(ctx, &request{method: http.MethodGet, path: keysPath(key), query: q})
}

// Set writes key with the given conditions (nil opts: an unconditional set).
// Conditions go in the query and the value and TTL in the form body, as
// etcdctl sends them: PUT /v2/keys/a?prevValue=1 -d "ttl=5&value=2".
func (c *Client) Set(ctx context.Context, key, value string, opts *SetOptions) (*Response, error) {
	var o SetOptions
	if opts != nil {
		o = *opts
	}
	ttl, err := ttlSeconds(o.TTL)
	if err != nil {
		return nil, err
	}
	if o.PrevExist != PrevIgnore && o.PrevExist != PrevExists && o.PrevExist != PrevNoExist {
		return nil, fmt.Errorf("client: PrevExist %q must be PrevIgnore, PrevExists or PrevNoExist", o.PrevExist)
	}
	q, form := url.Values{}, url.Values{}
	if o.Dir {
		q.Set("dir", "true")
	} else {
		form.Set("value", value)
	}
	if o.PrevValue != "" {
		q.Set("prevValue", o.PrevValue)
	}
	if o.PrevIndex != 0 {
		q.Set("prevIndex", strconv.FormatUint(o.PrevIndex, 10))
	}
	if o.PrevExist != PrevIgnore {
		q.Set("prevExist", string(o.PrevExist))
	}
	if ttl > 0 {
		form.Set("ttl", strconv.FormatUint(ttl, 10))
	}
	if o.Refresh {
		form.Set("refresh", "true")
	}
	if o.NoValueOnSuccess {
		q.Set("noValueOnSuccess", "true")
	}
	return c.keys(ctx, formRequest(http.MethodPut, keysPath(key), q, form))
}

// Create makes key only if it does not exist (etcdctl mk): error 105
// otherwise.
func (c *Client) Create(ctx context.Context, key, value string, ttl time.Duration) (*Response, error) {
	return c.Set(ctx, key, value, &SetOptions{PrevExist: PrevNoExist, TTL: ttl})
}

// CreateInOrder adds a key with a unique, increasing name under dir
// (etcdctl mk --in-order): POST /v2/keys/dir -d "value=v". The new key is
// the response's Node.Key.
func (c *Client) CreateInOrder(ctx context.Context, dir, value string, ttl time.Duration) (*Response, error) {
	secs, err := ttlSeconds(ttl)
	if err != nil {
		return nil, err
	}
	form := url.Values{"value": {value}}
	if secs > 0 {
		form.Set("ttl", strconv.FormatUint(secs, 10))
	}
	return c.keys(ctx, formRequest(http.MethodPost, keysPath(dir), nil, form))
}

// Update changes an existing key (etcdctl update): error 100 if it is
// missing. A zero ttl clears the key's TTL.
func (c *Client) Update(ctx context.Context, key, value string, ttl time.Duration) (*Response, error) {
	return c.Set(ctx, key, value, &SetOptions{PrevExist: PrevExists, TTL: ttl})
}

// CompareAndSwap sets key to value only if its value is prevValue and/or
// its modifiedIndex is prevIndex (error 101 otherwise). At least one
// condition must be given; "" and 0 mean "not checked".
func (c *Client) CompareAndSwap(ctx context.Context, key, value, prevValue string, prevIndex uint64) (*Response, error) {
	if prevValue == "" && prevIndex == 0 {
		return nil, fmt.Errorf("client: CompareAndSwap on %s needs a prevValue or a prevIndex; use Set for an unconditional write", key)
	}
	return c.Set(ctx, key, value, &SetOptions{PrevValue: prevValue, PrevIndex: prevIndex})
}

// Mkdir makes a directory only if nothing is at key (etcdctl mkdir):
// PUT key?dir=true&prevExist=false.
func (c *Client) Mkdir(ctx context.Context, key string, ttl time.Duration) (*Response, error) {
	return c.Set(ctx, key, "", &SetOptions{Dir: true, PrevExist: PrevNoExist, TTL: ttl})
}

// SetDir makes a directory at key, replacing a file there (etcdctl setdir):
// PUT key?dir=true. An existing directory gives error 102.
func (c *Client) SetDir(ctx context.Context, key string, ttl time.Duration) (*Response, error) {
	return c.Set(ctx, key, "", &SetOptions{Dir: true, TTL: ttl})
}

// UpdateDir sets the TTL of an existing directory (etcdctl updatedir):
// PUT key?dir=true&prevExist=true; a zero ttl clears it.
func (c *Client) UpdateDir(ctx context.Context, key string, ttl time.Duration) (*Response, error) {
	return c.Set(ctx, key, "", &SetOptions{Dir: true, PrevExist: PrevExists, TTL: ttl})
}

// Delete removes key (etcdctl rm, rmdir):
// DELETE key?dir=..&prevIndex=..&prevValue=..&recursive=.. with only the
// options that are set in the query and no body.
func (c *Client) Delete(ctx context.Context, key string, opts *DeleteOptions) (*Response, error) {
	var o DeleteOptions
	if opts != nil {
		o = *opts
	}
	q := url.Values{}
	if o.Dir {
		q.Set("dir", "true")
	}
	if o.Recursive {
		q.Set("recursive", "true")
	}
	if o.PrevValue != "" {
		q.Set("prevValue", o.PrevValue)
	}
	if o.PrevIndex != 0 {
		q.Set("prevIndex", strconv.FormatUint(o.PrevIndex, 10))
	}
	return c.keys(ctx, &request{method: http.MethodDelete, path: keysPath(key), query: q})
}

// CompareAndDelete removes key only if its value is prevValue and/or its
// modifiedIndex is prevIndex. At least one condition must be given.
func (c *Client) CompareAndDelete(ctx context.Context, key, prevValue string, prevIndex uint64) (*Response, error) {
	if prevValue == "" && prevIndex == 0 {
		return nil, fmt.Errorf("client: CompareAndDelete on %s needs a prevValue or a prevIndex; use Delete for an unconditional delete", key)
	}
	return c.Delete(ctx, key, &DeleteOptions{PrevValue: prevValue, PrevIndex: prevIndex})
}

// keys sends a keys request within the total timeout and decodes the answer.
func (c *Client) keys(ctx context.Context, r *request) (*Response, error) {
	ctx, cancel := c.withTotalTimeout(ctx)
	defer cancel()
	resp, ep, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("client: reading the answer from %s: %w", ep.String(), err)
	}
	return decodeKeysResponse(r, resp, ep, body)
}

// keysPath is the URL path of key: "/v2/keys" followed by the key with a
// leading slash, cleaned of "//", "." and "..", keeping a trailing slash
// (so the root is "/v2/keys/", as etcdctl ls sends it).
func keysPath(key string) string {
	if key == "" {
		return "/v2/keys"
	}
	clean := path.Clean("/" + key)
	if strings.HasSuffix(key, "/") && clean != "/" {
		clean += "/"
	}
	return "/v2/keys" + clean
}

// ttlSeconds converts a TTL to the whole seconds the API takes, rejecting
// values it cannot express.
func ttlSeconds(ttl time.Duration) (uint64, error) {
	switch {
	case ttl < 0:
		return 0, fmt.Errorf("client: TTL %v is negative", ttl)
	case ttl > 0 && ttl < time.Second:
		return 0, fmt.Errorf("client: TTL %v is below the v2 API's one-second resolution", ttl)
	}
	return uint64(ttl / time.Second), nil
}
