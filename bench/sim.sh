#!/usr/bin/env bash
# Simulator benchmarks: time from process start to listening, and Control API throughput
# under wrk. Loopback only; every load run is bounded in time. Prints a Markdown table.
#   RUNS      start-up runs (default 15)
#   DURATION  seconds per wrk run (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

need_commands wrk:wrk curl:curl
need_rust
cargo build --release --locked -p roomtone-sim >&2
bin=target/release/roomtone-sim
runs="${RUNS:-15}"
duration="${DURATION:-10}"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
spread() { sort -n | awk 'NR==1{min=$1} {max=$1} END {print min "–" max}'; }

# Start-up: from fork to the "listening" line on stdout.
startups=()
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  coproc SIM { exec "$bin" --port 0; }
  read -r _line <&"${SIM[0]}"
  end=$(date +%s%N)
  kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null || true
  startups+=($(( (end - start) / 1000 )))
done

# Throughput: one simulator, wrk with 2 threads and 32 connections.
coproc SIM { exec "$bin" --port 0; }
read -r line <&"${SIM[0]}"
base="${line##* }"
trap 'kill "$SIM_PID" 2>/dev/null || true' EXIT
token=$(curl -s -X POST "$base/sim/admin/tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
hh=$(curl -s -H "Authorization: Bearer $token" "$base/control/api/v1/households" | python3 -c 'import json,sys; print(json.load(sys.stdin)["households"][0]["id"])')
group=$(curl -s -H "Authorization: Bearer $token" "$base/control/api/v1/households/$hh/groups" | python3 -c 'import json,sys; print(json.load(sys.stdin)["groups"][0]["id"])')
rate() {
  wrk -t2 -c32 -d"${duration}s" -H "Authorization: Bearer $token" "$1" | awk '/Requests\/sec/ {print int($2)}'
}
groups_rps=$(rate "$base/control/api/v1/households/$hh/groups")
status_rps=$(rate "$base/control/api/v1/groups/$group/playback")
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$SIM_PID/status")

cat <<TABLE
| figure | value |
|---|---|
| start to listening, median of $runs (range) | $(printf '%s\n' "${startups[@]}" | median) µs ($(printf '%s\n' "${startups[@]}" | spread) µs) |
| GET households/{id}/groups, 2 threads × 32 connections, ${duration} s | $groups_rps requests/s |
| GET groups/{id}/playback, same load | $status_rps requests/s |
| resident memory after the load | $((rss_kb / 1024)) MiB |
| release binary size | $(( $(stat -c %s "$bin") / 1024 )) KiB |
TABLE
