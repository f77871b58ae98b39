package client

import (
	"context"
	"errors"
	"net/http"
)

// Member is one cluster member as /v2/members lists it (contract §3).
type Member struct {
	// ID is the member ID in lowercase hex (%x, no leading zeros), e.g.
	// "8e9e05c52164694d".
	ID string `json:"id"`
	// Name is empty until the member has started and published itself.
	Name       string   `json:"name"`
	PeerURLs   []string `json:"peerURLs"`
	ClientURLs []string `json:"clientURLs"`
}

// memberURLs is the body of a member add or update.
type memberURLs struct {
	PeerURLs []string `json:"peerURLs"`
}

// Members lists the cluster's members: GET /v2/members.
func (c *Client) Members(ctx context.Context) ([]Member, error) {
	var out struct {
		Members []Member `json:"members"`
	}
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: "/v2/members"}, &out); err != nil {
		return nil, err
	}
	return out.Members, nil
}

// Leader returns the member that leads: GET /v2/members/leader. During an
// election the server says 503, so every endpoint fails and the error is a
// *ClusterError.
func (c *Client) Leader(ctx context.Context) (*Member, error) {
	m := &Member{}
	if _, err := c.call(ctx, &request{method: http.MethodGet, path: "/v2/members/leader"}, m); err != nil {
		return nil, err
	}
	return m, nil
}

// AddMember announces a new member with these peer URLs:
// POST /v2/members {"peerURLs":[...]}. The answer has its ID; its name and
// client URLs stay empty until it starts.
func (c *Client) AddMember(ctx context.Context, peerURLs []string) (*Member, error) {
	if err := checkPeerURLs(peerURLs); err != nil {
		return nil, err
	}
	r, err := jsonRequest(http.MethodPost, "/v2/members", memberURLs{PeerURLs: peerURLs})
	if err != nil {
		return nil, err
	}
	m := &Member{}
	if _, err := c.call(ctx, r, m); err != nil {
		return nil, err
	}
	return m, nil
}

// RemoveMember removes the member with this hex ID: DELETE /v2/members/<id>.
func (c *Client) RemoveMember(ctx context.Context, id string) error {
	if id == "" {
		return errors.New("client: RemoveMember needs a member ID")
	}
	_, err := c.call(ctx, &request{method: http.MethodDelete, path: "/v2/members/" + id}, nil)
	return err
}

// UpdateMember replaces a member's peer URLs: PUT /v2/members/<id>.
func (c *Client) UpdateMember(ctx context.Context, id string, peerURLs []string) error {
	if id == "" {
		return errors.New("client: UpdateMember needs a member ID")
	}
	if err := checkPeerURLs(peerURLs); err != nil {
		return err
	}
	r, err := jsonRequest(http.MethodPut, "/v2/members/"+id, memberURLs{PeerURLs: peerURLs})
	if err != nil {
		return err
	}
	_, err = c.call(ctx, r, nil)
	return err
}

// checkPeerURLs refuses an empty list; the server judges the URLs.
func checkPeerURLs(peerURLs []string) error {
	if len(peerURLs) == 0 {
		return errors.New("client: a member needs at least one peer URL")
	}
	return nil
}
