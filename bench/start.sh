#!/usr/bin/env bash
# Start to first paint under Xvfb: from spawning the process to the page's own mark (two
# animation frames after it rendered, reported over IPC and printed with
# ROOMTONE_BENCH_MARKS=1), for Roomtone and the minimal Tauri 2 app (bench/minimal), release
# builds, each in a fresh home; median and range of RUNS (default 5). Roomtone runs in demo
# mode: "first" is its first frame, "household" the first frame with the demo household
# (the simulator, the relay and the sign-in run in the process first); configured and signed
# out (the sign-in screen); and signed in, as a run before left it (tokens in a real keychain,
# the last-known household in its cache, `roomtone-load signed-in`), with Sonos and the relay
# not answering: "household" is the last-known household painted, before any answer.
# Prints a Markdown table on standard output.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

need_app_build
need_commands python3:python3
build_ui >&2
bench_builds
apt_install gnome-keyring
runs="${RUNS:-5}"

bench_display
export ROOMTONE_BENCH_MARKS=1

# marks BINARY ARGS...: one line per run, "first=MS household=MS" (milliseconds from spawn).
# With SIGNED_OUT=1, Roomtone is configured (a client ID, a relay that does not answer) and
# shows the sign-in: the start of the app itself, without the demo's simulator and relay.
# With SIGNED_IN=1, configured the same way and signed in (in a keychain session of its own).
marks() {
  local wrap=()
  [ -z "${SIGNED_IN:-}" ] || wrap=(scripts/keychain-session)
  # The last line is the figures (a keychain session's D-Bus says things on standard output).
  "${wrap[@]}" python3 - "$@" <<'EOF' | tail -1
import os, subprocess, sys, tempfile, time, signal
home = tempfile.mkdtemp()
env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=f"{home}/.config", XDG_DATA_HOME=f"{home}/.local/share", XDG_CACHE_HOME=f"{home}/.cache")
signed_in = bool(os.environ.get("SIGNED_IN"))
want = {"first"} if "minimal" in sys.argv[1] or os.environ.get("SIGNED_OUT") else {"first", "household"}
if os.environ.get("SIGNED_OUT") or signed_in:
    nowhere = "http://127.0.0.1:9"
    env.update(ROOMTONE_CLIENT_ID="bench", ROOMTONE_RELAY_URL=nowhere, ROOMTONE_CONTROL_URL=f"{nowhere}/control/api/v1")
if signed_in:
    # The keychain session is this process's; the demo cloud the household is read from
    # ends with the command.
    subprocess.run(["target/release/roomtone-load", "signed-in", "--cache", f"{home}/.cache/com.roomtone.desktop/last-household.json"], env=env, check=True, stdout=subprocess.DEVNULL)
command = sys.argv[1:] if signed_in else ["dbus-run-session", "--", *sys.argv[1:]]
start = time.monotonic()
app = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
seen = {}
deadline = start + 120
for line in app.stdout:  # blocks on the app's own output: no polling
    if line.startswith("painted "):
        seen[line.split()[1]] = (time.monotonic() - start) * 1000
    if want <= seen.keys() or time.monotonic() > deadline:
        break
os.killpg(app.pid, signal.SIGTERM)
app.wait()
print(" ".join(f"{k}={v:.0f}" for k, v in sorted(seen.items())))
EOF
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
spread() { sort -n | awk 'NR==1{min=$1} {max=$1} END {print min "–" max}'; }
field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p"; }

app="" configured="" signed="" minimal=""
for _ in $(seq "$runs"); do
  # Alternated, so that a slow moment of the machine falls on each.
  a=$(marks target/release/roomtone --demo); app+="$a"$'\n'
  c=$(SIGNED_OUT=1 marks target/release/roomtone); configured+="$c"$'\n'
  s=$(SIGNED_IN=1 marks target/release/roomtone); signed+="$s"$'\n'
  m=$(marks target/release/roomtone-bench-minimal); minimal+="$m"$'\n'
  say "roomtone demo: $a; configured, signed out: $c; signed in: $s; minimal: $m"
done
row() { local v; v=$(printf '%s' "$2" | field "$3"); echo "| $1 | $(echo "$v" | median) ms ($(echo "$v" | spread)) |"; [ -z "${4:-}" ] || figure "$4" "$(echo "$v" | median)"; }
echo "| start under Xvfb, release build | median of $runs (range) |"
echo "|---|---|"
row "minimal Tauri 2 app: first paint" "$minimal" first minimal_first_ms
row "Roomtone, configured (sign-in screen): first paint" "$configured" first
row "Roomtone, signed in: first paint" "$signed" first
row "Roomtone, signed in: the last-known household painted (Sonos and the relay not answering)" "$signed" household signed_in_household_ms
row "Roomtone, demo: first paint" "$app" first
row "Roomtone, demo: household painted (simulator, relay and sign-in in process)" "$app" household demo_household_ms
