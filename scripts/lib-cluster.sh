# lib-cluster.sh starts, checks and stops a three-member cluster of skiff or
# etcd on loopback. It is sourced by cluster.sh and bench-cluster.sh (one way
# to start a cluster), not run on its own.
#
# cluster_start fills two arrays the caller reads:
#   CLUSTER_PIDS  the members' process ids, in member order
#   CLUSTER_URLS  the members' client URLs, in member order
# and cluster_stop stops exactly those processes.

CLUSTER_PIDS=()
CLUSTER_URLS=()

# die prints its arguments on stderr and exits 1.
die() {
	echo "$(basename "$0"): $*" >&2
	exit 1
}

# port_in_use succeeds when something on this machine listens on TCP port $1.
port_in_use() {
	ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

# cluster_start KIND BINARY DATA_ROOT NAME_PREFIX "CLIENT_PORTS" "PEER_PORTS" [EXTRA_FLAGS...]
# starts three members of KIND (skiff or etcd) from BINARY, member i named
# NAME_PREFIX$i with its data in DATA_ROOT/NAME_PREFIX$i.KIND and its log in
# DATA_ROOT/NAME_PREFIX$i.log. The port lists hold three ports each. EXTRA_FLAGS
# go to every member. A data dir that already exists is reused: the member
# restarts from it and --initial-cluster* are ignored, as in etcd.
cluster_start() {
	local kind=$1 bin=$2 root=$3 prefix=$4
	local -a cports=($5) pports=($6)
	shift 6
	[ ${#cports[@]} -eq 3 ] && [ ${#pports[@]} -eq 3 ] || die "cluster_start: need three client and three peer ports"
	[ -x "$bin" ] || die "$bin is not an executable; build it first (make build)"
	local p
	for p in "${cports[@]}" "${pports[@]}"; do
		port_in_use "$p" && die "port $p on 127.0.0.1 is in use; stop what listens there (ss -ltnp 'sport = :$p') or pick other ports (cluster.sh: CLUSTER_CLIENT_PORTS, CLUSTER_PEER_PORTS; bench-cluster.sh: BENCH_PORT_BASE)"
	done
	mkdir -p "$root"
	local initial="" i
	for i in 0 1 2; do
		initial+="${initial:+,}$prefix$((i + 1))=http://127.0.0.1:${pports[i]}"
	done
	CLUSTER_PIDS=()
	CLUSTER_URLS=()
	for i in 0 1 2; do
		local name=$prefix$((i + 1))
		local curl=http://127.0.0.1:${cports[i]} purl=http://127.0.0.1:${pports[i]}
		"$bin" --name "$name" --data-dir "$root/$name.$kind" \
			--listen-client-urls "$curl" --advertise-client-urls "$curl" \
			--listen-peer-urls "$purl" --initial-advertise-peer-urls "$purl" \
			--initial-cluster "$initial" --initial-cluster-token "$kind-loopback-cluster" \
			--initial-cluster-state new "$@" >"$root/$name.log" 2>&1 &
		CLUSTER_PIDS+=($!)
		CLUSTER_URLS+=("$curl")
	done
}

# cluster_wait_healthy [TIMEOUT_SECONDS] waits until every member answers
# /health with {"health":"true"} (there is a leader and it can commit), and
# fails naming the first member that did not.
cluster_wait_healthy() {
	local timeout=${1:-30} deadline u i
	deadline=$((SECONDS + timeout))
	for i in 0 1 2; do
		u=${CLUSTER_URLS[i]}
		until curl -fsS --max-time 2 "$u/health" 2>/dev/null | grep -q '"health": *"true"'; do
			kill -0 "${CLUSTER_PIDS[i]}" 2>/dev/null || die "member at $u (pid ${CLUSTER_PIDS[i]}) exited; see its log"
			[ $SECONDS -lt $deadline ] || die "member at $u is not healthy after ${timeout}s; see its log"
			sleep 0.2
		done
	done
}

# cluster_leader prints the client URL of the member whose /v2/stats/self
# says StateLeader (skiff and etcd both serve it).
cluster_leader() {
	local u
	for u in "${CLUSTER_URLS[@]}"; do
		if curl -fsS --max-time 2 "$u/v2/stats/self" 2>/dev/null | grep -q '"state": *"StateLeader"'; then
			echo "$u"
			return 0
		fi
	done
	return 1
}

# cluster_stop sends SIGTERM to each member started by cluster_start and
# waits for it, up to 10 seconds each before SIGKILL.
cluster_stop() {
	local pid n
	for pid in "${CLUSTER_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${CLUSTER_PIDS[@]}"; do
		for ((n = 0; n < 100; n++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "$(basename "$0"): member pid $pid did not stop within 10s of SIGTERM; killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
		fi
		wait "$pid" 2>/dev/null || true
	done
	CLUSTER_PIDS=()
}
