package client

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

// TestStatsAndVersionDecode: the stats and version answers of 3.4 (contract
// §3) decode into their structs.
func TestStatsAndVersionDecode(t *testing.T) {
	ctx := context.Background()
	f := newFake(t, answer(http.StatusOK,
		`{"name":"default","id":"667880157b8812c8","state":"StateLeader","startTime":"2026-11-24T04:09:47.772355747Z","leaderInfo":{"leader":"667880157b8812c8","uptime":"11m15.811051403s","startTime":"2026-11-24T04:09:48.373267609Z"},"recvAppendRequestCnt":0,"sendAppendRequestCnt":7,"sendPkgRate":1.5}`))
	c := newTestClient(t, Config{Endpoints: []string{f.URL}})
	self, err := c.SelfStats(ctx)
	if err != nil || self.State != "StateLeader" || self.LeaderInfo.Leader != "667880157b8812c8" ||
		self.SendAppendRequestCnt != 7 || self.SendPkgRate != 1.5 || self.StartTime.Year() != 2026 || f.last(t).Path != "/v2/stats/self" {
		t.Errorf("SelfStats = %+v, %v", self, err)
	}

	f.setReply(answer(http.StatusOK, `{"leader":"a","followers":{"b":{"latency":{"current":0.5,"average":1.25,"standardDeviation":0.1,"minimum":0.2,"maximum":3},"counts":{"fail":1,"success":99}}}}`))
	ls, err := c.LeaderStats(ctx)
	if err != nil || ls.Leader != "a" || ls.Followers["b"].Latency.Average != 1.25 || ls.Followers["b"].Counts.Success != 99 {
		t.Errorf("LeaderStats = %+v, %v", ls, err)
	}
	f.setReply(answer(http.StatusForbidden, `{"message":"not current leader"}`))
	if _, err := c.LeaderStats(ctx); err == nil || err.Error() != "not current leader" {
		t.Errorf("LeaderStats on a follower = %v", err)
	}

	f.setReply(answer(http.StatusOK, `{"getsSuccess":4,"getsFail":2,"setsSuccess":3,"setsFail":0,"deleteSuccess":1,"deleteFail":0,"updateSuccess":0,"updateFail":0,"createSuccess":6,"createFail":0,"compareAndSwapSuccess":0,"compareAndSwapFail":1,"compareAndDeleteSuccess":0,"compareAndDeleteFail":0,"expireCount":5,"watchers":2}`))
	st, err := c.StoreStats(ctx)
	if err != nil || st.GetsSuccess != 4 || st.GetsFail != 2 || st.CreateSuccess != 6 || st.CompareAndSwapFail != 1 || st.ExpireCount != 5 || st.Watchers != 2 {
		t.Errorf("StoreStats = %+v, %v", st, err)
	}

	f.setReply(answer(http.StatusOK, `{"etcdserver":"3.4.23","etcdcluster":"3.4.0"}`))
	if v, err := c.Version(ctx); err != nil || *v != (Version{Server: "3.4.23", Cluster: "3.4.0"}) || f.last(t).Path != "/version" {
		t.Errorf("Version = %+v, %v", v, err)
	}
}

// TestHealthReadsBothSpellings: 200 {"health":"true"} is healthy, 503
// {"health":"false"} is an answer (not a reason to fail over), and etcd
// 2.3's {"health": "true"} is read too.
func TestHealthReadsBothSpellings(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		status int
		body   string
		want   bool
	}{
		{200, `{"health":"true"}`, true},
		{200, `{"health": "true"}`, true},
		{503, `{"health":"false"}`, false},
	}
	for _, tc := range cases {
		f := newFake(t, answer(tc.status, tc.body))
		other := newFake(t, answer(200, `{"health":"true"}`))
		c := newTestClient(t, Config{Endpoints: []string{f.URL, other.URL}})
		got, err := c.Health(ctx)
		if err != nil || got != tc.want || len(other.requests()) != 0 {
			t.Errorf("%s: Health = %v, %v (other endpoint asked %d times)", tc.body, got, err, len(other.requests()))
		}
		got, err = c.EndpointHealth(ctx, f.URL)
		if err != nil || got != tc.want || f.last(t).Path != "/health" {
			t.Errorf("%s: EndpointHealth = %v, %v", tc.body, got, err)
		}
	}

	bad := newFake(t, answer(200, "ok"))
	c := newTestClient(t, Config{Endpoints: []string{bad.URL}})
	if _, err := c.EndpointHealth(ctx, bad.URL); err == nil {
		t.Error("a non-JSON health answer must be an error")
	}
	_, err := c.EndpointHealth(ctx, deadEndpoint(t))
	if err == nil || errors.Is(err, ErrClusterUnavailable) {
		t.Errorf("an unreachable endpoint: %v, want its own error", err)
	}
}
