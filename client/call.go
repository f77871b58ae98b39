package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
)

// call sends a request to one of the non-keys endpoints (members, auth,
// stats, version) within the total timeout. A status of 300 or more becomes
// an *Error; otherwise a non-empty body is decoded into out when out is not
// nil. It returns the HTTP status.
func (c *Client) call(ctx context.Context, r *request, out any) (int, error) {
	ctx, cancel := c.withTotalTimeout(ctx)
	defer cancel()
	resp, ep, err := c.do(ctx, r)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, fmt.Errorf("client: reading the answer from %s: %w", ep.String(), err)
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, decodeError(resp.StatusCode, body)
	}
	if out != nil && len(body) > 0 {
		if err := json.Unmarshal(body, out); err != nil {
			return resp.StatusCode, fmt.Errorf("client: %s answered %s %s with unexpected JSON (%q): %w",
				ep.String(), r.method, r.path, truncate(body, 200), err)
		}
	}
	return resp.StatusCode, nil
}
