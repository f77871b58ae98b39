package server

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the member's Prometheus metrics, named as etcd names its
// server and disk metrics so existing dashboards find them.
type metrics struct {
	term               prometheus.Gauge
	isLeader           prometheus.Gauge
	hasLeader          prometheus.Gauge
	isLearner          prometheus.Gauge
	learners           prometheus.Gauge
	leaderChanges      prometheus.Counter
	appliedIndex       prometheus.Gauge
	proposalsCommitted prometheus.Counter
	proposalsFailed    prometheus.Counter
	proposalLatency    prometheus.Histogram
	applyDuration      prometheus.Histogram
	fsyncDuration      prometheus.Histogram
	snapshotDuration   prometheus.Histogram
}

// newMetrics makes the metrics and registers them on reg. A registry that
// already holds them (a member restarted in the same process with the same
// registry) keeps the existing ones.
func newMetrics(reg prometheus.Registerer) *metrics {
	// Buckets from 0.1 ms to about 1.6 s, doubling: an fsync or an apply
	// lands in the low end on a healthy disk, and the top catches stalls.
	buckets := prometheus.ExponentialBuckets(0.0001, 2, 15)
	m := &metrics{
		term: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "etcd", Subsystem: "server", Name: "term",
			Help: "The raft term this member is in."}),
		isLeader: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "etcd", Subsystem: "server", Name: "is_leader",
			Help: "1 while this member is the leader, else 0."}),
		hasLeader: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "etcd", Subsystem: "server", Name: "has_leader",
			Help: "1 while a leader is known, else 0."}),
		isLearner: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "etcd", Subsystem: "server", Name: "is_learner",
			Help: "1 while this member is a learner (added, not yet promoted to voter), else 0."}),
		learners: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "skiff", Subsystem: "server", Name: "learners",
			Help: "How many learners the configuration this member applied has."}),
		leaderChanges: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "etcd", Subsystem: "server", Name: "leader_changes_seen_total",
			Help: "How many leader changes this member has seen."}),
		appliedIndex: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "etcd", Subsystem: "server", Name: "proposals_applied_total",
			Help: "The raft index of the last entry applied to the store."}),
		proposalsCommitted: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "etcd", Subsystem: "server", Name: "proposals_committed_total",
			Help: "Commands committed and applied on this member."}),
		proposalsFailed: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "etcd", Subsystem: "server", Name: "proposals_failed_total",
			Help: "Proposals from this member that timed out or were dropped."}),
		proposalLatency: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "skiff", Subsystem: "server", Name: "proposal_duration_seconds",
			Help: "From proposing a command to its apply on this member.", Buckets: buckets}),
		applyDuration: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "etcd", Subsystem: "server", Name: "apply_duration_seconds",
			Help: "Time to apply one committed entry to the store.", Buckets: buckets}),
		fsyncDuration: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "etcd", Subsystem: "disk", Name: "wal_fsync_duration_seconds",
			Help: "Time to write and fsync one Ready's hard state and entries.", Buckets: buckets}),
		snapshotDuration: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "etcd", Subsystem: "debugging", Name: "snap_save_total_duration_seconds",
			Help: "Time to save the store and write one snapshot file.", Buckets: buckets}),
	}
	m.term = register(reg, m.term)
	m.isLeader = register(reg, m.isLeader)
	m.hasLeader = register(reg, m.hasLeader)
	m.isLearner = register(reg, m.isLearner)
	m.learners = register(reg, m.learners)
	m.leaderChanges = register(reg, m.leaderChanges)
	m.appliedIndex = register(reg, m.appliedIndex)
	m.proposalsCommitted = register(reg, m.proposalsCommitted)
	m.proposalsFailed = register(reg, m.proposalsFailed)
	m.proposalLatency = register(reg, m.proposalLatency)
	m.applyDuration = register(reg, m.applyDuration)
	m.fsyncDuration = register(reg, m.fsyncDuration)
	m.snapshotDuration = register(reg, m.snapshotDuration)
	return m
}

// register registers c, or returns the collector already registered under
// its name.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	var are prometheus.AlreadyRegisteredError
	if err := reg.Register(c); errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing
		}
	}
	return c
}
