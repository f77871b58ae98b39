package client

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Response is the answer to a keys request or one watch event.
//
// Encoded with encoding/json it has exactly the shape etcdctl -o json prints
// (contract §5.3): "action", "node", and "prevNode" (null when absent); the
// header values are not part of it.
type Response struct {
	// Action is what happened: get, set, create, update, compareAndSwap,
	// delete, compareAndDelete or expire.
	Action string `json:"action"`
	// Node is the node after the action (nil with noValueOnSuccess).
	Node *Node `json:"node"`
	// PrevNode is the node before a set, update, CAS or delete.
	PrevNode *Node `json:"prevNode"`

	// Index is X-Etcd-Index: the store index after the operation, or when
	// a watch began.
	Index uint64 `json:"-"`
	// RaftIndex and RaftTerm are X-Raft-Index and X-Raft-Term.
	RaftIndex uint64 `json:"-"`
	RaftTerm  uint64 `json:"-"`
	// ClusterID is X-Etcd-Cluster-Id: the cluster ID in lowercase hex
	// without leading zeros, so up to 16 digits.
	ClusterID string `json:"-"`
	// Endpoint is the endpoint that answered.
	Endpoint string `json:"-"`
	// StatusCode is the HTTP status: 201 when a node was created, else 200.
	StatusCode int `json:"-"`
}

// Node is a key or a directory. The server omits empty fields; encoded
// again, a Node has etcdctl's field order and always carries "value" and
// "nodes" (contract §5.3).
type Node struct {
	// Key is the full path, e.g. "/dir/a"; "" for the root.
	Key string `json:"key"`
	// Dir is true for a directory, which has Nodes instead of a Value.
	Dir   bool   `json:"dir,omitempty"`
	Value string `json:"value"`
	// Nodes are a directory's children, listed by a get on it (all levels
	// when recursive).
	Nodes         []*Node `json:"nodes"`
	CreatedIndex  uint64  `json:"createdIndex"`
	ModifiedIndex uint64  `json:"modifiedIndex"`
	// Expiration is when a node with a TTL expires, nil without one.
	Expiration *time.Time `json:"expiration,omitempty"`
	// TTL is the remaining lifetime in whole seconds, rounded up.
	TTL int64 `json:"ttl,omitempty"`
}

// readHeaders copies the headers a v2 response carries (contract §1.5).
func (r *Response) readHeaders(h http.Header) {
	r.Index = parseUint(h, "X-Etcd-Index")
	r.RaftIndex = parseUint(h, "X-Raft-Index")
	r.RaftTerm = parseUint(h, "X-Raft-Term")
	r.ClusterID = h.Get("X-Etcd-Cluster-Id")
}

// decodeKeysResponse turns the answer to a keys request into a *Response,
// or into an *Error when the status says the request failed.
func decodeKeysResponse(r *request, resp *http.Response, ep url.URL, body []byte) (*Response, error) {
	if resp.StatusCode/100 != 2 {
		return nil, decodeError(resp.StatusCode, body)
	}
	res := &Response{}
	if err := json.Unmarshal(body, res); err != nil {
		return nil, fmt.Errorf("client: %s answered %s %s with a body that is not a v2 response (%q): %w",
			ep.String(), r.method, r.path, truncate(body, 200), err)
	}
	res.readHeaders(resp.Header)
	res.Endpoint = ep.String()
	res.StatusCode = resp.StatusCode
	return res, nil
}

// truncate shortens b for an error message.
func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}
