#!/usr/bin/env bash
# scale.sh regenerates the README's scale table (`make scale`): how this
# process's memory grows with the number of producers. It runs the three
# scale scenarios (scenarios/examples/scale-*.yaml: 1, 100, 1,000 and
# 10,000 producers, 10,000 msgs/s in total) against the embedded server,
# then against a separate `stationbench server` on a free 127.0.0.1 port,
# writes each result under results/scale/<case>/ and prints each case's
# run table (producers, msgs/s, RSS = peak resident set of the step,
# RSS/prod = its growth per producer over the fewest producers).
#
# A case that fails (for example the embedded per-producer 10,000 step,
# refused before its load where the open-file limit cannot hold its
# 20,256 files) does not stop the others: its table shows the refusal,
# the README table marks it, and the script exits 1 at the end, naming the
# failed cases.
#
# At the end it prints the README's table (scripts/scaletable) of every
# case.
#
# Usage: scripts/scale.sh [BIN [SCALETABLE]]  (default bin/stationbench and
# bin/scaletable; make scale builds both first)
set -u -o pipefail

bin=${1:-bin/stationbench}
table=${2:-bin/scaletable} # scripts/scaletable, built by make scale
out=${SCALE_OUT:-results/scale}
dir=${SCALE_SCENARIOS:-scenarios/examples} # another folder of scale-*.yaml, to try the script quickly
scenarios=(scale-core-shared scale-core scale-jetstream)
start=$(date +%s)
failed=()
server_pid=
server_log=

stop_server() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
		server_pid=
	fi
	[ -n "$server_log" ] && rm -f "$server_log"
}
trap stop_server EXIT
trap 'exit 130' INT TERM

# run_case NAME SCENARIO [run flags...]: one case; its table on stdout.
run_case() {
	local name=$1 scenario=$2
	shift 2
	local res=$out/$name
	echo
	echo "=== $name: $scenario $* -> $res"
	"$bin" run "$dir/$scenario.yaml" --out "$res" --force -q "$@" >"$out/$name.log" 2>&1
	local rc=$?
	if [ -f "$res/summary.txt" ]; then
		# The run table, the summary's first (from its header to the blank
		# line after it, the RSS legend included), and the errors of the
		# runs that failed.
		awk '!seen && /^ *target +producers/ {t=1; seen=1} t && /^$/ {t=0} t || /^\[[0-9]+\] / {print}' "$res/summary.txt"
	else
		tail -n 20 "$out/$name.log"
	fi
	if [ "$rc" -ne 0 ]; then
		echo "--- $name: FAILED (exit $rc); see $res/summary.txt and $out/$name.log"
		failed+=("$name (exit $rc)")
	fi
}

mkdir -p "$out" || exit 1
# The separate server holds a file per connection and, unlike stationbench
# run, does not raise its own open-file limit: raise the soft limit to the
# hard one here, for both.
ulimit -S -n "$(ulimit -H -n)" 2>/dev/null || true
echo "scale: $("$bin" version 2>/dev/null || echo "$bin"), open-file limit $(ulimit -S -n) (hard $(ulimit -H -n)), $(nproc 2>/dev/null || echo ?) cpus"
for s in "${scenarios[@]}"; do
	run_case "embedded-${s#scale-}" "$s"
done

# A separate server in its own process: only the producers' side is in
# stationbench run's resident set. Port 0 picks a free port; its URL is
# read from the line the server prints once it listens.
server_log=$(mktemp) || exit 1
"$bin" server --host 127.0.0.1 --port 0 >"$server_log" 2>&1 &
server_pid=$!
url=
for _ in $(seq 1 300); do # up to 30 s
	url=$(grep -o 'nats://127\.0\.0\.1:[0-9]*' "$server_log" | head -n 1)
	[ -n "$url" ] && break
	if ! kill -0 "$server_pid" 2>/dev/null; then
		break
	fi
	sleep 0.1
done
if [ -z "$url" ]; then
	echo "scale: the separate server did not start:" >&2
	cat "$server_log" >&2
	failed+=("server (did not start)")
else
	echo
	echo "=== separate server: $url (pid $server_pid)"
	for s in "${scenarios[@]}"; do
		run_case "server-${s#scale-}" "$s" --url "$url"
	done
fi
stop_server

# The README's table: every case's runs, the two servers of each scenario
# side by side.
if [ -x "$table" ]; then
	dirs=()
	for s in "${scenarios[@]}"; do
		for server in embedded server; do
			[ -f "$out/$server-${s#scale-}/result.json" ] && dirs+=("$out/$server-${s#scale-}")
		done
	done
	echo
	echo "=== README table"
	"$table" "${dirs[@]}" || failed+=("README table")
fi

echo
echo "scale: took $(($(date +%s) - start)) s; results under $out/"
if [ ${#failed[@]} -gt 0 ]; then
	(IFS=";"; echo "scale: failed cases: ${failed[*]}")
	exit 1
fi
