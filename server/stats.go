package server

import (
	"time"
)

// selfStats is /v2/stats/self in etcd's field order (contract §3).
type selfStats struct {
	Name                 string     `json:"name"`
	ID                   string     `json:"id"`
	State                string     `json:"state"`
	StartTime            time.Time  `json:"startTime"`
	LeaderInfo           leaderInfo `json:"leaderInfo"`
	RecvAppendRequestCnt uint64     `json:"recvAppendRequestCnt"`
	RecvPkgRate          float64    `json:"recvPkgRate,omitempty"`
	RecvBandwidthRate    float64    `json:"recvBandwidthRate,omitempty"`
	SendAppendRequestCnt uint64     `json:"sendAppendRequestCnt"`
	SendPkgRate          float64    `json:"sendPkgRate,omitempty"`
	SendBandwidthRate    float64    `json:"sendBandwidthRate,omitempty"`
}

type leaderInfo struct {
	Leader    string    `json:"leader"`
	Uptime    string    `json:"uptime"`
	StartTime time.Time `json:"startTime"`
}

// leaderStats is /v2/stats/leader (contract §3).
type leaderStats struct {
	Leader    string                    `json:"leader"`
	Followers map[string]*followerStats `json:"followers"`
}

type followerStats struct {
	Latency latencyStats `json:"latency"`
	Counts  countStats   `json:"counts"`
}

// latencyStats are heartbeat round trips in milliseconds (latency.go).
type latencyStats struct {
	Current           float64 `json:"current"`
	Average           float64 `json:"average"`
	StandardDeviation float64 `json:"standardDeviation"`
	Minimum           float64 `json:"minimum"`
	Maximum           float64 `json:"maximum"`
}

type countStats struct {
	Fail    uint64 `json:"fail"`
	Success uint64 `json:"success"`
}

// SelfStats is this member's /v2/stats/self document. As in etcd, the
// counts are of append requests (MsgAppendEntries) received from and sent to
// peers, and the rates, present only when non-zero, are those requests per
// second and their bytes per second over the recent past: a leader sends,
// a follower receives.
func (s *Server) SelfStats() any {
	st := selfStats{Name: s.cfg.Name, ID: hexID(s.id), State: "StateFollower", StartTime: s.startTime}
	if s.IsLeader() {
		st.State = "StateLeader"
	}
	if lead, ok := s.Leader(); ok {
		since := s.leaderSince()
		st.LeaderInfo = leaderInfo{Leader: lead.String(), Uptime: time.Since(since).String(), StartTime: since}
	}
	if s.transport != nil {
		sent, recv := s.transport.Appends()
		st.RecvAppendRequestCnt, st.RecvPkgRate, st.RecvBandwidthRate = recv.Count, recv.PerSecond, recv.BytesPerSec
		st.SendAppendRequestCnt, st.SendPkgRate, st.SendBandwidthRate = sent.Count, sent.PerSecond, sent.BytesPerSec
	}
	return st
}

// LeaderStats is the /v2/stats/leader document; ok is false on a follower.
func (s *Server) LeaderStats() (stats any, ok bool) {
	if !s.IsLeader() {
		return nil, false
	}
	ls := leaderStats{Leader: hexID(s.id), Followers: map[string]*followerStats{}}
	peers := s.transport.Stats()
	for _, m := range s.Members() {
		if uint64(m.ID) == s.id {
			continue
		}
		ps := peers[uint64(m.ID)]
		ls.Followers[m.ID.String()] = &followerStats{Latency: s.latency.of(uint64(m.ID)), Counts: countStats{
			Success: ps.MessagesSent, Fail: ps.Dropped + ps.StreamFailures,
		}}
	}
	return ls, true
}

// leaderSince is when this member last saw the leader change.
func (s *Server) leaderSince() time.Time {
	s.leadMu.Lock()
	defer s.leadMu.Unlock()
	return s.leadSince
}
