#!/usr/bin/env bash
# Whole-process-tree memory and idle CPU of the real app window under Xvfb, beside a minimal
# Tauri 2 app built the same way (bench/minimal): the proportional set size (PSS, from
# /proc/<pid>/smaps_rollup) of the app and every process under it (WebKit's web and network
# processes), after IDLE seconds (default 60), then the CPU time the tree uses over the next
# CPU seconds (default 60), as a share of one core; median and range of RUNS (default 3).
# Roomtone runs in demo mode (the demo household), with its window shown, and started hidden
# in the tray (`--hidden`): with its page asleep after 30 s (the default), and with the page
# kept (ROOMTONE_PAGE_SLEEP_SECS=never). Release builds. Prints a Markdown table on standard
# output.
#   ONLY=roomtone   skip the minimal app (for before/after comparisons of Roomtone alone)
#   ONLY=shown      only the window shown, Roomtone's and the minimal app's
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

need_app_build
apt_install gnome-keyring
build_ui >&2
bench_builds
runs="${RUNS:-3}"
idle="${IDLE:-60}"
cpu_window="${CPU:-60}"
ticks=$(getconf CLK_TCK)

# tree PID: PID and all its descendants.
tree() {
  local pids=("$1") pid
  while [ ${#pids[@]} -gt 0 ]; do
    pid=${pids[0]}; pids=("${pids[@]:1}"); echo "$pid"
    for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do pids+=("$child"); done
  done
}

# pss_tree PID: PSS in KiB of the tree, and how many processes.
pss_tree() {
  local total=0 n=0 kib
  for pid in $(tree "$1"); do
    kib=$(awk '/^Pss:/ {print $2}' /proc/"$pid"/smaps_rollup 2>/dev/null || echo 0)
    total=$((total + ${kib:-0})); n=$((n + 1))
  done
  echo "$total $n"
}

# cpu_tree PID: user + system clock ticks used so far by the tree.
cpu_tree() {
  local total=0 t
  for pid in $(tree "$1"); do
    t=$(awk '{print $14 + $15}' /proc/"$pid"/stat 2>/dev/null || echo 0)
    total=$((total + ${t:-0}))
  done
  echo "$total"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
spread() { sort -n | awk 'NR==1{min=$1} {max=$1} END {print min "–" max}'; }

# measure NAME BINARY ARGS...: one line per run, "PSS_KIB CPU_PERMILLE" (CPU in thousandths
# of one core).
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
    local before after
    before=$(cpu_tree "$pid")
    sleep "$cpu_window"   # the measurement itself: CPU used over this window
    after=$(cpu_tree "$pid")
    local permille=$(( (after - before) * 1000 / (ticks * cpu_window) ))
    say "$name: $((kib / 1024)) MiB PSS over $procs processes; CPU $((permille / 10)).$((permille % 10)) % of a core"
    echo "$kib $permille"
    kill -- -"$pid"; wait "$pid" 2>/dev/null || true
    rm -rf "$home"
  done
}

bench_display

shown=$(measure "roomtone, window shown" dbus-run-session -- target/release/roomtone --demo)
hidden="" kept=""
if [ "${ONLY:-}" != shown ]; then
  hidden=$(measure "roomtone, hidden" dbus-run-session -- target/release/roomtone --demo --hidden)
  kept=$(ROOMTONE_PAGE_SLEEP_SECS=never measure "roomtone, hidden, page kept" dbus-run-session -- target/release/roomtone --demo --hidden)
fi
minimal=""
[ "${ONLY:-}" = roomtone ] || minimal=$(measure minimal dbus-run-session -- target/release/roomtone-bench-minimal)
pss() { awk '{print $1}' <<<"$1"; }
cpu() { awk '{print $2}' <<<"$1"; }
mib() { awk '{printf "%.1f", $1 / 1024}'; }
pct() { awk '{printf "%.1f %%", $1 / 10}'; }
row() {
  local p c
  p=$(pss "$2"); c=$(cpu "$2")
  echo "| $1 | $(median <<<"$p" | mib) MiB ($(spread <<<"$p" | awk -F'–' '{printf "%.1f–%.1f", $1 / 1024, $2 / 1024}')) | $(median <<<"$c" | pct) ($(spread <<<"$c" | awk -F'–' '{printf "%.1f–%.1f %%", $1 / 10, $2 / 10}')) |"
}
echo "| whole process tree, release | PSS after ${idle} s idle, median of $runs (range) | CPU over the next ${cpu_window} s, share of one core, median (range) |"
echo "|---|---|---|"
row "Roomtone, demo household, window shown" "$shown"
[ -z "$hidden" ] || row "Roomtone, demo household, hidden in the tray (its page asleep after 30 s)" "$hidden"
[ -z "$kept" ] || row "Roomtone, demo household, hidden in the tray, page kept (\`ROOMTONE_PAGE_SLEEP_SECS=never\`)" "$kept"
[ -z "$minimal" ] || row "minimal Tauri 2 app, window shown" "$minimal"
figure shown_pss_mib "$(pss "$shown" | median | mib)"
figure shown_cpu_pct "$(cpu "$shown" | median | awk '{printf "%.1f", $1 / 10}')"
[ -z "$minimal" ] || figure minimal_pss_mib "$(pss "$minimal" | median | mib)"
echo
echo "Release binaries: Roomtone $(( $(stat -c %s target/release/roomtone) / 1024 )) KiB, minimal $(( $(stat -c %s target/release/roomtone-bench-minimal) / 1024 )) KiB."
