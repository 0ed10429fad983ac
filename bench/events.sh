#!/usr/bin/env bash
# The event path: latency from another phone's change to the core's state (one relay, and
# two relay instances on Redis), Sonos requests per idle minute with and without the event
# stream, the relay's throughput with 1, 100 and 1,000 streams, and its memory per open
# stream at 10,000 streams. Release builds; loopback only; every load bounded in count and
# time. Prints the figures as a Markdown list on standard output.
#   SAMPLES   latency samples (default 500)
#   IDLE      seconds measured in each idle phase (default 60)
#   STREAMS   streams for the memory figure (default 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

need_app_build
need_commands python3:python3
apt_install redis-server
build_ui >&2
bench_builds
bin=target/release
samples="${SAMPLES:-500}"
idle="${IDLE:-60}"
many="${STREAMS:-10000}"
# Each stream is a socket at both ends: room for 10,000 and the rest.
ulimit -n "$(ulimit -Hn)"

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

# start NAME CMD...: runs CMD, waits for its first line ("… listening on URL"), sets $url
# to that URL and $pid to its process.
start() {
  local out
  out=$(mktemp -u)
  mkfifo "$out"
  "$@" >"$out" 2>/dev/null &
  pid=$!
  pids+=("$pid")
  exec 3<"$out"
  read -r line <&3
  exec 3<&-
  rm -f "$out"
  url=$(grep -o 'https\?://[^ ]*' <<<"$line" | head -1)
}

# A Redis of its own on a free loopback port, persisting nothing.
redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >/dev/null 2>&1 &
pids+=($!)
until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.05; done

say "latency, $samples samples each"
one=$("$bin/roomtone-load" latency --samples "$samples")
two=$("$bin/roomtone-load" latency --samples "$samples" --redis-url "redis://127.0.0.1:$redis_port/")
say "idle Sonos requests, $idle s per phase"
quiet=$("$bin/roomtone-load" idle --seconds "$idle")

# A simulator and a relay as separate processes, the relay with no per-address limit (all
# the streams come from this one address); extra relay flags as arguments.
relay_of() {
  start "$bin/roomtone-sim" --port 0 --seed 1
  sim_url=$url
  # The simulator's own test credentials (roomtone_sim::config::DEFAULT_CLIENT_*).
  ROOMTONE_RELAY_CLIENT_SECRET=roomtone-sim-secret start "$bin/roomtone-relay" \
    --listen 127.0.0.1:0 --public-url http://127.0.0.1/ --client-id roomtone-sim-client \
    --login-url "$sim_url/login/v3/oauth" --control-url "$sim_url/control/api/v1" \
    --streams-per-ip 1000000 --connections-per-ip 1000000 \
    --stream-openings-burst 1000000 --stream-openings-per-second 1000000 "$@"
  relay_url=$url relay_pid=$pid
}

# Throughput: the events go in as fast as 16 connections post them. The streams get a
# buffer that holds the whole burst (--stream-buffer 65536), so the figure is the relay's
# capacity, not the cut-off of a reader slower than the burst; one run with the default
# buffer (256) shows that cut-off.
say "throughput with 1, 100 and 1,000 streams"
through=()
for n in 1 100 1000; do
  events=$(( n == 1 ? 20000 : n == 100 ? 5000 : 1000 ))
  relay_of --stream-buffer 65536
  through+=("$("$bin/roomtone-load" throughput --relay "$relay_url" --sim "$sim_url" --streams "$n" --events "$events") (stream buffer 65536)")
  kill "${pids[@]:1}" 2>/dev/null || true
  pids=("${pids[0]}")
done
relay_of
through+=("$("$bin/roomtone-load" throughput --relay "$relay_url" --sim "$sim_url" --streams 1 --events 20000) (default stream buffer 256)")
kill "${pids[@]:1}" 2>/dev/null || true
pids=("${pids[0]}")

say "the core's overhead from a command's call to the wire"
core=$("$bin/roomtone-load" overhead --samples 1000)

say "the token broker's overhead"
relay_of --rate-limit-burst 1000000 --rate-limit-per-second 1000000
broker=$("$bin/roomtone-load" broker --relay "$relay_url" --sim "$sim_url" --samples 1000)
kill "${pids[@]:1}" 2>/dev/null || true
pids=("${pids[0]}")

say "memory with $many open streams"
relay_of
memory=$("$bin/roomtone-load" streams --relay "$relay_url" --sim "$sim_url" --streams "$many" --relay-pid "$relay_pid")

printf -- '- %s\n' "$one" "$two" "$quiet" "$core" "$broker" "${through[@]}" "$memory"
# "… 25.5 KiB per stream (PSS)": what 10,000 streams cost, in MiB.
figure relay_10k_mib "$(sed -n 's/.*: \([0-9.]*\) KiB per stream.*/\1/p' <<<"$memory" | awk '{printf "%.0f", $1 * 10000 / 1024}')"
