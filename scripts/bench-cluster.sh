#!/usr/bin/env bash
# bench-cluster.sh puts the same load on a three-member loopback skiff
# cluster and, when etcd is installed, on a three-member etcd cluster
# (--enable-v2) started in the same run, and prints skiff's numbers, etcd's,
# and their ratios against the project's targets. It is `make bench-cluster`.
#
# The load is `skiffctl check perf --json` (ctl/perf*.go), one workload at a
# time, each a separate run against a fresh set of keys:
#   write        100% PUTs
#   quorum-read  100% GET ?quorum=true (linearizable: through raft)
#   read         100% plain GETs (served by the member asked)
# by BENCH_CLIENTS concurrent clients with BENCH_VALUE_SIZE-byte values over
# BENCH_KEYS keys. Both clusters run side by side for the whole benchmark,
# and the runs are interleaved: each round runs every workload on both, skiff
# first in odd rounds and etcd first in even ones, so a change in the
# machine's load falls on both. The table shows the median over the rounds.
# Besides throughput and latency it shows the CPU time the three members
# used per operation (from /proc, user+system), which moves less than
# throughput when other work shares the machine, and the load generator's:
# on a small machine the client's share says how much of the two cores the
# servers could have had (when it is near the members', the client is part of
# the bottleneck, for both systems alike).
#
# Environment (defaults in brackets); one run takes about
# ROUNDS x 3 workloads x 2 systems x (DURATION + ~2s):
#   BENCH_DURATION    length of each measured run [10s]
#   BENCH_ROUNDS      rounds of every workload on both systems [2]
#   BENCH_CLIENTS     concurrent clients [64]
#   BENCH_VALUE_SIZE  bytes per value [100]
#   BENCH_KEYS        distinct keys [1000]
#   BENCH_WARMUP      an unrecorded write run on each system first [3s]
#   BENCH_WORKLOADS   which workloads, in order ["write quorum-read read"]
#   BENCH_TARGET      leader: every client talks to the leader (no forwarding);
#                     spread: clients spread over all three members [leader]
#   BENCH_ETCD        etcd binary; empty to skip etcd [/usr/bin/etcd if present]
#   BENCH_BIN         use the skiff and skiffctl in this dir instead of
#                     building bin/ from the working tree [build bin/]
#   BENCH_PORT_BASE   skiff uses BASE..BASE+21, etcd BASE+100..BASE+121 [21000];
#                     below Linux's ephemeral range (32768-60999), so outgoing
#                     connections cannot take a member's port between the check and the bind
#   BENCH_OUT         keep the JSON results, logs and profiles in this dir
#                     [a temporary dir, removed at the end]
#   BENCH_PROFILE     1: after the measured rounds, take a CPU profile of each
#                     leader under the write load (BENCH_PROFILE_SECONDS [10])
#                     into BENCH_OUT and print its top functions [0]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib-cluster.sh

DURATION=${BENCH_DURATION:-10s}
ROUNDS=${BENCH_ROUNDS:-2}
CLIENTS=${BENCH_CLIENTS:-64}
VALUE_SIZE=${BENCH_VALUE_SIZE:-100}
KEYS=${BENCH_KEYS:-1000}
WORKLOADS=${BENCH_WORKLOADS:-write quorum-read read}
TARGET=${BENCH_TARGET:-leader}
PORT_BASE=${BENCH_PORT_BASE:-21000}
PROFILE=${BENCH_PROFILE:-0}
PROFILE_SECONDS=${BENCH_PROFILE_SECONDS:-10}
if [ -z "${BENCH_ETCD+set}" ]; then
	BENCH_ETCD=$([ -x /usr/bin/etcd ] && echo /usr/bin/etcd || true)
fi

case $TARGET in leader | spread) ;; *) die "BENCH_TARGET must be leader or spread, got $TARGET" ;; esac
for w in $WORKLOADS; do
	case $w in write | quorum-read | read) ;; *) die "unknown workload $w in BENCH_WORKLOADS (write, quorum-read, read)" ;; esac
done

BIN=${BENCH_BIN:-}
if [ -z "$BIN" ]; then
	echo "building bin/skiff and bin/skiffctl"
	mkdir -p bin
	go build -o bin/ ./cmd/skiff ./cmd/skiffctl
	BIN=bin
fi
SKIFFCTL=$BIN/skiffctl

if [ -n "${BENCH_OUT:-}" ]; then
	OUT=$BENCH_OUT
	mkdir -p "$OUT"
else
	OUT=$(mktemp -d -t skiff-bench-cluster.XXXXXX)
fi

: >"$OUT/results.tsv"

# Both clusters' pids, so one trap stops everything this script started.
SKIFF_PIDS=() SKIFF_URLS=() ETCD_PIDS=() ETCD_URLS=()
cleanup() {
	local status=$?
	CLUSTER_PIDS=("${SKIFF_PIDS[@]}" "${ETCD_PIDS[@]}")
	cluster_stop
	if [ -n "${BENCH_OUT:-}" ]; then
		return
	elif [ "$status" -ne 0 ]; then
		echo "bench-cluster.sh: failed; logs kept in $OUT" >&2
	else
		rm -rf "$OUT"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ports BASE prints the client ports and peer ports (one line each) of a
# cluster whose ports start at BASE.
client_ports() { echo "$1 $(($1 + 10)) $(($1 + 20))"; }
peer_ports() { echo "$(($1 + 1)) $(($1 + 11)) $(($1 + 21))"; }

echo "starting skiff (data and logs in $OUT/skiff)"
cluster_start skiff "$BIN/skiff" "$OUT/skiff" s "$(client_ports "$PORT_BASE")" "$(peer_ports "$PORT_BASE")" --enable-pprof
SKIFF_PIDS=("${CLUSTER_PIDS[@]}") SKIFF_URLS=("${CLUSTER_URLS[@]}")
cluster_wait_healthy 30
systems=(skiff)
if [ -n "$BENCH_ETCD" ]; then
	echo "starting etcd from $BENCH_ETCD: $("$BENCH_ETCD" --version | head -1) (data and logs in $OUT/etcd)"
	cluster_start etcd "$BENCH_ETCD" "$OUT/etcd" e "$(client_ports $((PORT_BASE + 100)))" "$(peer_ports $((PORT_BASE + 100)))" \
		--enable-v2 --enable-pprof --logger zap
	ETCD_PIDS=("${CLUSTER_PIDS[@]}") ETCD_URLS=("${CLUSTER_URLS[@]}")
	cluster_wait_healthy 30
	systems+=(etcd)
else
	echo "etcd is not installed (BENCH_ETCD empty): measuring skiff alone"
fi

# use SYSTEM makes SYSTEM's cluster the current one for cluster_leader.
use() {
	if [ "$1" = skiff ]; then
		CLUSTER_PIDS=("${SKIFF_PIDS[@]}") CLUSTER_URLS=("${SKIFF_URLS[@]}")
	else
		CLUSTER_PIDS=("${ETCD_PIDS[@]}") CLUSTER_URLS=("${ETCD_URLS[@]}")
	fi
}

# child_ticks PID prints the user+system clock ticks of the waited-for
# children of the shell PID: the load generator's CPU time (with a little of
# curl's and jq's).
child_ticks() {
	local f
	f=$(sed 's/.*) //' "/proc/$1/stat")
	set -- $f
	echo $((${14} + ${15}))
}

# cpu_ticks prints the user+system clock ticks the current cluster's
# members have used so far.
cpu_ticks() {
	local pid sum=0 f
	for pid in "${CLUSTER_PIDS[@]}"; do
		# Fields 14 and 15 of /proc/pid/stat, counted after the ")" that ends
		# the command name.
		f=$(sed 's/.*) //' "/proc/$pid/stat")
		set -- $f
		sum=$((sum + ${12} + ${13}))
	done
	echo $sum
}

# mix WORKLOAD prints check perf's percentage flags for it.
mix() {
	case $1 in
	write) echo "--writes 100 --reads 0 --quorum-reads 0" ;;
	quorum-read) echo "--writes 0 --reads 0 --quorum-reads 100" ;;
	read) echo "--writes 0 --reads 100 --quorum-reads 0" ;;
	esac
}

# perf SYSTEM WORKLOAD DURATION JSON_FILE runs one check perf against the
# current cluster and appends a line to results.tsv:
#   system workload round ops/s p50ms p99ms errors members-cpu-ms/op client-cpu-ms/op
perf() {
	local sys=$1 w=$2 dur=$3 file=$4 eps spread=() t0 t1 c0 c1
	use "$sys"
	if [ "$TARGET" = leader ]; then
		eps=$(cluster_leader) || die "$sys has no leader; see the logs in $OUT/$sys"
	else
		eps=$(
			IFS=,
			echo "${CLUSTER_URLS[*]}"
		)
		spread=(--spread)
	fi
	local me=$BASHPID
	t0=$(cpu_ticks) c0=$(child_ticks "$me")
	# A request may wait 5 s for its answer's header (skiffctl's default is
	# 2 s): on a busy shared disk a fresh etcd can stall that long, and one
	# stalled preload write would end the whole run. A run that fails
	# anyway is reported and left out of the table.
	# shellcheck disable=SC2046 # mix prints several flags
	if ! "$SKIFFCTL" --no-sync --endpoints "$eps" --timeout 5s --total-timeout 10s \
		check perf --json "${spread[@]}" \
		--clients "$CLIENTS" --duration "$dur" --value-size "$VALUE_SIZE" --keys "$KEYS" \
		--prefix "/bench-cluster" $(mix "$w") >"$file" 2>"$file.err"; then
		echo "  round $round  $w on $sys failed, left out: $(head -1 "$file.err")"
		return 0
	fi
	t1=$(cpu_ticks) c1=$(child_ticks "$me")
	jq -r --arg s "$sys" --arg w "$w" --arg r "$round" --argjson hz "$(getconf CLK_TCK)" \
		--argjson ticks $((t1 - t0)) --argjson cticks $((c1 - c0)) \
		'[$s, $w, $r, .opsPerSecond, .latencyMs.p50, .latencyMs.p99, .errors,
		  (if .ops > 0 then $ticks * 1000 / $hz / .ops else 0 end),
		  (if .ops > 0 then $cticks * 1000 / $hz / .ops else 0 end)] | @tsv' "$file" >>"$OUT/results.tsv"
	tail -1 "$OUT/results.tsv" | awk -F'\t' '{printf "  round %s  %-11s %-5s %7.0f ops/s  p50 %6.2fms  p99 %6.2fms  %d errors  cpu-ms/op: members %.3f, client %.3f\n", $3, $2, $1, $4, $5, $6, $7, $8, $9}'
}

# A short unrecorded write run on each first: a fresh etcd's first seconds
# are several times slower than its steady state.
round=warmup
for sys in "${systems[@]}"; do
	perf "$sys" write "${BENCH_WARMUP:-3s}" "$OUT/$sys-warmup.json" >/dev/null
done

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "workloads: $WORKLOADS; $CLIENTS clients, $VALUE_SIZE-byte values, $KEYS keys, $DURATION per run, $ROUNDS rounds, clients to: $TARGET"
for ((round = 1; round <= ROUNDS; round++)); do
	order=("${systems[@]}")
	if [ $((round % 2)) -eq 0 ] && [ ${#systems[@]} -eq 2 ]; then
		order=(etcd skiff)
	fi
	for w in $WORKLOADS; do
		for sys in "${order[@]}"; do
			perf "$sys" "$w" "$DURATION" "$OUT/$sys-$w-$round.json"
		done
	done
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"

# The summary: medians over the rounds, and for each workload the ratio of
# the medians, the ratio in each round (the two runs of a round are next to
# each other in time, so these ratios are fairer than any single number),
# and the target it is held to.
echo
awk -F'\t' -v have_etcd=${#systems[@]} '
function median(list,    a, n, i, j, t) {
	n = split(list, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
$3 !~ /^[0-9]+$/ { next } # the warm-up and profile runs
{
	k = $1 SUBSEP $2
	ops[k] = ops[k] " " $4; p50[k] = p50[k] " " $5; p99[k] = p99[k] " " $6
	errs[k] += $7; cpu[k] = cpu[k] " " $8; ccpu[k] = ccpu[k] " " $9
	byround[$1, $2, $3] = $4
	if (!($3 in rseen)) { rseen[$3] = 1; rounds[++nr] = $3 }
	if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 }
}
END {
	printf "%-11s | %-6s | %8s | %7s | %7s | %17s | %17s | %6s\n", "workload", "system", "ops/s", "p50 ms", "p99 ms", "members cpu-ms/op", "client cpu-ms/op", "errors"
	for (i = 1; i <= n; i++) {
		w = order[i]
		for (s = 1; s <= 2; s++) {
			sys = s == 1 ? "skiff" : "etcd"
			k = sys SUBSEP w
			if (!(k in ops)) continue
			m_ops[k] = median(ops[k]); m_p50[k] = median(p50[k]); m_p99[k] = median(p99[k]); m_cpu[k] = median(cpu[k])
			printf "%-11s | %-6s | %8.0f | %7.2f | %7.2f | %17.3f | %17.3f | %6d\n", w, sys, m_ops[k], m_p50[k], m_p99[k], m_cpu[k], median(ccpu[k]), errs[k]
		}
	}
	if (have_etcd < 2) exit
	print ""
	printf "%-11s | %12s | %-20s | %14s | %17s | %-38s\n", "workload", "throughput x", "x in each round", "p99 skiff/etcd", "cpu/op skiff/etcd", "target"
	for (i = 1; i <= n; i++) {
		w = order[i]; s = "skiff" SUBSEP w; e = "etcd" SUBSEP w
		r = m_ops[e] > 0 ? m_ops[s] / m_ops[e] : 0
		rp = m_p99[e] > 0 ? m_p99[s] / m_p99[e] : 0
		rc = m_cpu[e] > 0 ? m_cpu[s] / m_cpu[e] : 0
		if (w == "write") { goal = "throughput >= 1.5x etcd, p99 <= etcd"; ok = r >= 1.5 && m_p99[s] <= m_p99[e] }
		else if (w == "quorum-read") { goal = "throughput >= 3x etcd"; ok = r >= 3 }
		else { goal = "throughput >= etcd"; ok = r >= 1 }
		each = ""
		for (j = 1; j <= nr; j++)
			if (("skiff", w, rounds[j]) in byround && byround["etcd", w, rounds[j]] > 0)
				each = each sprintf("%.2f ", byround["skiff", w, rounds[j]] / byround["etcd", w, rounds[j]])
		printf "%-11s | %11.2fx | %-20s | %14.2f | %17.2f | %-38s %s\n", w, r, each, rp, rc, goal, ok ? "met" : "NOT MET"
	}
}' "$OUT/results.tsv"

if [ "$PROFILE" = 1 ]; then
	# Profile each leader while a write load longer than the profile runs.
	pdur=$((PROFILE_SECONDS + 4))s
	for sys in "${systems[@]}"; do
		use "$sys"
		leader=$(cluster_leader) || die "$sys has no leader"
		echo
		echo "profiling the $sys leader ($leader) for ${PROFILE_SECONDS}s under the write load"
		round=profile
		perf "$sys" write "$pdur" "$OUT/$sys-write-profile.json" &
		ppid=$!
		sleep 2 # past check perf's preload of the keys
		curl -fsS --max-time $((PROFILE_SECONDS + 30)) "$leader/debug/pprof/profile?seconds=$PROFILE_SECONDS" -o "$OUT/$sys-write.pprof"
		wait $ppid
		go tool pprof -top -nodecount=35 "$OUT/$sys-write.pprof" 2>/dev/null | sed -n '1,45p'
	done
fi
[ -z "${BENCH_OUT:-}" ] || echo "results, logs and profiles kept in $OUT"
