package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// do sends r to the pinned endpoint and, if that one cannot give an answer,
// to each of the others in turn. "No answer" means the connection failed,
// the header timeout expired, or the server said 5xx (a member without a
// leader); any other status is the cluster's answer and is returned with
// its body unread. If the caller's context ends, its error is returned as
// is; if every endpoint failed, a *ClusterError lists why.
//
// The endpoint that answered becomes the pinned one, so the next call goes
// straight to it.
func (c *Client) do(ctx context.Context, r *request) (*http.Response, url.URL, error) {
	c.mu.Lock()
	eps := slices.Clone(c.endpoints)
	start := c.pinned
	c.mu.Unlock()

	cerr := &ClusterError{}
	for i := range eps {
		ep := eps[(start+i)%len(eps)]
		resp, err := c.attempt(ctx, ep, r)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ep, ctx.Err()
			}
			cerr.Errors = append(cerr.Errors, err)
			continue
		}
		if resp.StatusCode/100 == 5 && !r.answer5xx {
			drainAndClose(resp)
			cerr.Errors = append(cerr.Errors, serverError(ep, resp.StatusCode))
			continue
		}
		c.pin(ep)
		return resp, ep, nil
	}
	return nil, url.URL{}, cerr
}

// attempt sends r to one endpoint and waits at most HeaderTimeout for the
// response headers. The returned body stays readable after that; closing it
// releases the attempt's context.
func (c *Client) attempt(ctx context.Context, ep url.URL, r *request) (*http.Response, error) {
	ctx, cancel := context.WithCancel(ctx)
	req, err := r.httpRequest(ctx, ep, &c.cfg)
	if err != nil {
		cancel()
		return nil, err
	}
	if c.cfg.OnRequest != nil {
		c.cfg.OnRequest(r.trace(req, ep))
	}
	var timer *time.Timer
	if c.cfg.HeaderTimeout > 0 {
		timer = time.AfterFunc(c.cfg.HeaderTimeout, cancel)
	}
	resp, err := c.transport.RoundTrip(req)
	if timer != nil && !timer.Stop() {
		// The timer fired, perhaps just after the headers came; either
		// way the attempt's context is (being) cancelled and the body is
		// unusable.
		if err == nil {
			drainAndClose(resp)
		}
		cancel()
		return nil, fmt.Errorf("client: endpoint %s exceeded header timeout", ep.String())
	}
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// serverError explains a 5xx in etcd's words (contract §5.4 output).
func serverError(ep url.URL, status int) error {
	if status == http.StatusInternalServerError || status == http.StatusServiceUnavailable {
		return fmt.Errorf("client: etcd member %s has no leader", ep.String())
	}
	return fmt.Errorf("client: etcd member %s returns server error [%s]", ep.String(), http.StatusText(status))
}

// pin makes ep the first endpoint to try next time, if it is still listed.
func (c *Client) pin(ep url.URL) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, u := range c.endpoints {
		if u == ep {
			c.pinned = i
			return
		}
	}
}

// cancelOnClose releases an attempt's context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// drainAndClose reads a little of an unwanted body so the connection can be
// reused, then closes it.
func drainAndClose(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 4096)
	_ = resp.Body.Close()
}
