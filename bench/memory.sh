#!/usr/bin/env bash
# Whole-process-tree memory of the real app window under Xvfb, beside a minimal Tauri 2 app
# built the same way (bench/minimal): the proportional set size (PSS, from
# /proc/<pid>/smaps_rollup) of the app and every process under it (WebKit's web and network
# processes), after IDLE seconds (default 30), median and range of RUNS (default 3).
# Roomtone runs in demo mode with its window showing the demo household. Release builds.
# Prints a Markdown table on standard output.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

need_app_build
apt_install xvfb xauth dbus gnome-keyring
build_ui >&2
say "release builds of Roomtone and the minimal app"
cargo build --release --locked -p roomtone -p roomtone-bench-minimal >&2
runs="${RUNS:-3}"
idle="${IDLE:-30}"

# pss_tree PID: PSS in KiB of PID and all its descendants.
pss_tree() {
  local pids=("$1") all=() pid total=0 kib
  while [ ${#pids[@]} -gt 0 ]; do
    pid=${pids[0]}; pids=("${pids[@]:1}"); all+=("$pid")
    for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do pids+=("$child"); done
  done
  for pid in "${all[@]}"; do
    kib=$(awk '/^Pss:/ {print $2}' /proc/"$pid"/smaps_rollup 2>/dev/null || echo 0)
    total=$((total + ${kib:-0}))
  done
  echo "$total ${#all[@]}"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
spread() { sort -n | awk 'NR==1{min=$1} {max=$1} END {print min "–" max}'; }

# measure NAME BINARY ARGS...: prints one PSS figure (KiB) per run.
measure() {
  local name=$1; shift
  for _ in $(seq "$runs"); do
    home=$(mktemp -d)
    # Its own process group, so that stopping it stops everything it started (the session's
    # dbus-daemon and the accessibility bus outlive a killed dbus-run-session otherwise).
    HOME=$home XDG_CONFIG_HOME=$home/.config XDG_DATA_HOME=$home/.local/share XDG_CACHE_HOME=$home/.cache \
      setsid "$@" >"$home/log" 2>&1 &
    local pid=$!
    sleep "$idle"   # the measurement itself: memory after this much idle time
    read -r kib procs < <(pss_tree "$pid")
    say "$name: $((kib / 1024)) MiB PSS over $procs processes"
    echo "$kib"
    kill -- -"$pid"; wait "$pid" 2>/dev/null || true
    rm -rf "$home"
  done
}

display=":$((RANDOM % 400 + 500))"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
export DISPLAY=$display
unset ROOMTONE_CLIENT_ID ROOMTONE_RELAY_URL

app=$(measure roomtone dbus-run-session -- target/release/roomtone --demo)
minimal=$(measure minimal dbus-run-session -- target/release/roomtone-bench-minimal)
mib() { awk '{printf "%.1f MiB", $1 / 1024}'; }
range() { echo "$1" | spread | awk -F'–' '{printf "%.1f–%.1f", $1 / 1024, $2 / 1024}'; }
echo "| app, whole process tree, ${idle} s after start, window shown | PSS median of $runs (range, MiB) |"
echo "|---|---|"
echo "| Roomtone (demo household) | $(echo "$app" | median | mib) ($(range "$app")) |"
echo "| minimal Tauri 2 app | $(echo "$minimal" | median | mib) ($(range "$minimal")) |"
echo "| release binaries | Roomtone $(( $(stat -c %s target/release/roomtone) / 1024 )) KiB, minimal $(( $(stat -c %s target/release/roomtone-bench-minimal) / 1024 )) KiB |"
