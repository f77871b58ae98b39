package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// SelfStats is GET /v2/stats/self: what one member knows about itself.
type SelfStats struct {
	Name       string    `json:"name"`
	ID         string    `json:"id"`
	State      string    `json:"state"` // "StateLeader" or "StateFollower"
	StartTime  time.Time `json:"startTime"`
	LeaderInfo struct {
		Leader    string    `json:"leader"`
		Uptime    string    `json:"uptime"`
		StartTime time.Time `json:"startTime"`
	} `json:"leaderInfo"`
	RecvAppendRequestCnt uint64 `json:"recvAppendRequestCnt"`
	SendAppendRequestCnt uint64 `json:"sendAppendRequestCnt"`
	// The rates are only sent when they are not zero.
	RecvPkgRate       float64 `json:"recvPkgRate,omitempty"`
	RecvBandwidthRate float64 `json:"recvBandwidthRate,omitempty"`
	SendPkgRate       float64 `json:"sendPkgRate,omitempty"`
	SendBandwidthRate float64 `json:"sendBandwidthRate,omitempty"`
}

// LeaderStats is GET /v2/stats/leader: the leader's view of its followers,
// keyed by follower ID. Only the leader answers; followers say 403.
type LeaderStats struct {
	Leader    string                    `json:"leader"`
	Followers map[string]*FollowerStats `json:"followers"`
}

// FollowerStats are the leader's counters for one follower.
type FollowerStats struct {
	// Latency of AppendEntries round trips, in milliseconds.
	Latency struct {
		Current           float64 `json:"current"`
		Average           float64 `json:"average"`
		StandardDeviation float64 `json:"standardDeviation"`
		Minimum           float64 `json:"minimum"`
		Maximum           float64 `json:"maximum"`
	} `json:"latency"`
	Counts struct {
		Fail    uint64 `json:"fail"`
		Success uint64 `json:"success"`
	} `json:"counts"`
}

// StoreStats is GET /v2/stats/store: one member's store operation counters.
type StoreStats struct {
	GetsSuccess             uint64 `json:"getsSuccess"`
	GetsFail                uint64 `json:"getsFail"`
	SetsSuccess             uint64 `json:"setsSuccess"`
	SetsFail                uint64 `json:"setsFail"`
	DeleteSuccess           uint64 `json:"deleteSuccess"`
	DeleteFail              uint64 `json:"deleteFail"`
	UpdateSuccess           uint64 `json:"updateSuccess"`
	UpdateFail              uint64 `json:"updateFail"`
	CreateSuccess           uint64 `json:"createSuccess"`
	CreateFail              uint64 `json:"createFail"`
	CompareAndSwapSuccess   uint64 `json:"compareAndSwapSuccess"`
	CompareAndSwapFail      uint64 `json:"compareAndSwapFail"`
	CompareAndDeleteSuccess uint64 `json:"compareAndDeleteSuccess"`
	CompareAndDeleteFail    uint64 `json:"compareAndDeleteFail"`
	ExpireCount             uint64 `json:"expireCount"`
	Watchers                uint64 `json:"watchers"`
}

// Version is GET /version.
type Version struct {
	Server  string `json:"etcdserver"`
	Cluster string `json:"etcdcluster"`
}

// SelfStats asks the pinned member about itself.
func (c *Client) SelfStats(ctx context.Context) (*SelfStats, error) {
	out := &SelfStats{}
	return out, c.get(ctx, "/v2/stats/self", out)
}

// LeaderStats asks the pinned member for leader stats; it must be the
// leader (point the client at it, e.g. with Leader and SetEndpoints).
func (c *Client) LeaderStats(ctx context.Context) (*LeaderStats, error) {
	out := &LeaderStats{}
	return out, c.get(ctx, "/v2/stats/leader", out)
}

// StoreStats asks the pinned member for its store counters.
func (c *Client) StoreStats(ctx context.Context) (*StoreStats, error) {
	out := &StoreStats{}
	return out, c.get(ctx, "/v2/stats/store", out)
}

// Version asks the pinned member for the server and cluster versions.
func (c *Client) Version(ctx context.Context) (*Version, error) {
	out := &Version{}
	return out, c.get(ctx, "/version", out)
}

// get is a GET whose JSON answer is decoded into out.
func (c *Client) get(ctx context.Context, path string, out any) error {
	_, err := c.call(ctx, &request{method: http.MethodGet, path: path}, out)
	return err
}

// Health asks the cluster whether it is healthy: GET /health, with
// failover while endpoints are unreachable. A member's 503
// {"health":"false"} is an answer, so it is returned as false, nil.
func (c *Client) Health(ctx context.Context) (bool, error) {
	ctx, cancel := c.withTotalTimeout(ctx)
	defer cancel()
	resp, _, err := c.do(ctx, &request{method: http.MethodGet, path: "/health", answer5xx: true})
	if err != nil {
		return false, err
	}
	return decodeHealth(resp)
}

// EndpointHealth asks one endpoint, which need not be in the client's
// list, whether it is healthy (etcdctl cluster-health asks every member's
// client URL in turn). Errors are returned as they are, without failover.
func (c *Client) EndpointHealth(ctx context.Context, endpoint string) (bool, error) {
	eps, err := parseEndpoints([]string{endpoint})
	if err != nil {
		return false, err
	}
	ctx, cancel := c.withTotalTimeout(ctx)
	defer cancel()
	resp, err := c.attempt(ctx, eps[0], &request{method: http.MethodGet, path: "/health"})
	if err != nil {
		return false, err
	}
	return decodeHealth(resp)
}

// decodeHealth reads {"health":"true"} (also etcd 2.3's {"health": "true"}).
func decodeHealth(resp *http.Response) (bool, error) {
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		return false, err
	}
	var h struct {
		Health string `json:"health"`
	}
	if err := json.Unmarshal(body, &h); err != nil || h.Health == "" {
		return false, fmt.Errorf("client: /health answered %d %q, not a health report", resp.StatusCode, truncate(body, 100))
	}
	return h.Health == "true", nil
}
