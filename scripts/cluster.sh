#!/usr/bin/env bash
# cluster.sh starts a three-member skiff cluster on this machine's loopback
# interface, prints its client URLs, and stops all three cleanly (SIGTERM to
# each, then waits) on Ctrl-C or SIGTERM. It is `make cluster`.
#
# The ports are those of etcd's Procfile, so etcdctl and skiffctl find the
# first member with their default endpoint:
#   infra1  client http://127.0.0.1:2379   peer http://127.0.0.1:12380
#   infra2  client http://127.0.0.1:22379  peer http://127.0.0.1:22380
#   infra3  client http://127.0.0.1:32379  peer http://127.0.0.1:32380
# The data dirs are ./cluster.skiff/infra{1,2,3}.skiff and are kept, so the
# next run restarts the same cluster with its keys; remove ./cluster.skiff
# for a fresh one. Members' logs are ./cluster.skiff/infra{1,2,3}.log.
#
# Environment:
#   SKIFF                 the server binary (default bin/skiff)
#   CLUSTER_DIR           where data dirs and logs go (default ./cluster.skiff)
#   CLUSTER_CLIENT_PORTS  three client ports (default "2379 22379 32379")
#   CLUSTER_PEER_PORTS    three peer ports (default "12380 22380 32380")
#   CLUSTER_FLAGS         extra flags for every member, e.g. "--enable-pprof"
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib-cluster.sh

SKIFF=${SKIFF:-bin/skiff}
CLUSTER_DIR=${CLUSTER_DIR:-./cluster.skiff}
CLUSTER_CLIENT_PORTS=${CLUSTER_CLIENT_PORTS:-2379 22379 32379}
CLUSTER_PEER_PORTS=${CLUSTER_PEER_PORTS:-12380 22380 32380}

stopping=0
stop() {
	[ $stopping -eq 1 ] || [ ${#CLUSTER_PIDS[@]} -eq 0 ] && return
	stopping=1
	echo "stopping the cluster (SIGTERM to ${CLUSTER_PIDS[*]})"
	cluster_stop
	echo "stopped; data kept in $CLUSTER_DIR"
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

echo "starting three skiff members, data and logs in $CLUSTER_DIR"
# shellcheck disable=SC2086 # CLUSTER_FLAGS is a list of flags
cluster_start skiff "$SKIFF" "$CLUSTER_DIR" infra "$CLUSTER_CLIENT_PORTS" "$CLUSTER_PEER_PORTS" ${CLUSTER_FLAGS:-}
cluster_wait_healthy 30
echo "cluster is healthy; leader: $(cluster_leader || echo unknown)"
echo "client URLs: $(
	IFS=,
	echo "${CLUSTER_URLS[*]}"
)"
echo "try: bin/skiffctl --endpoints $(
	IFS=,
	echo "${CLUSTER_URLS[*]}"
) member list"
echo "press Ctrl-C to stop all three"

# Wait until interrupted; if a member exits on its own, say which and stop
# the others.
set +e
wait -n "${CLUSTER_PIDS[@]}"
rc=$?
for i in 0 1 2; do
	if ! kill -0 "${CLUSTER_PIDS[i]}" 2>/dev/null; then
		echo "member at ${CLUSTER_URLS[i]} exited (status $rc); see $CLUSTER_DIR/infra$((i + 1)).log" >&2
	fi
done
exit 1
