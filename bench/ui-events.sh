#!/usr/bin/env bash
# Event to window: from the relay receiving Sonos's event to the window's DOM showing it,
# and to the frame after it was painted, in the real window under Xvfb (release build, demo
# mode, so the simulator, the relay and the app share one process and one clock).
# "Another phone" (a token minted at the simulator's admin API) sets the group volume the
# window shows, one change at a time; the demo relay marks each `groupVolume` event it
# receives, the window marks when its slider holds the new value (ROOMTONE_BENCH_MARKS).
# SAMPLES changes per run (default 200), RUNS runs (default 3): p50 and p99 per run, the
# median of the runs and their range. Prints a Markdown table on standard output.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

need_app_build
need_commands python3:python3
build_ui >&2
bench_builds
runs="${RUNS:-3}"
samples="${SAMPLES:-200}"

bench_display
export ROOMTONE_BENCH_MARKS=1

# One run: prints "dom_p50 dom_p99 painted_p50 painted_p99 sent_p50 sent_p99 door_p50
# door_p99" in milliseconds, where "sent" is relay receipt → the webview told (the app's
# own part of the way) and "door" is the webview told → the DOM showing it (IPC, the page's
# script, and the mark's way back); the slowest few changes, split, on standard error.
one_run() {
  python3 - target/release/roomtone "$samples" <<'PY'
import json, os, queue, signal, subprocess, sys, tempfile, threading, urllib.request

binary, samples = sys.argv[1], int(sys.argv[2])
home = tempfile.mkdtemp()
env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=f"{home}/.config",
           XDG_DATA_HOME=f"{home}/.local/share", XDG_CACHE_HOME=f"{home}/.cache")
app = subprocess.Popen(["dbus-run-session", "--", binary, "--demo"], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                       start_new_session=True)
lines = queue.Queue()
threading.Thread(target=lambda: [lines.put(l) for l in app.stdout], daemon=True).start()

def fields(line):
    return dict(p.split("=", 1) for p in line.split() if "=" in p)

def wait_for(pred, what):
    """The next line of the app's output that `pred` accepts; the app's silence is a failure."""
    while True:
        try:
            line = lines.get(timeout=30)
        except queue.Empty:
            sys.exit(f"the app never printed {what}")
        if pred(line):
            return fields(line)

try:
    sim = wait_for(lambda l: l.startswith("demo "), "the simulator's address")["simulator"]
    shown = wait_for(lambda l: l.startswith("mark dom "), "a shown volume")
    group, volume = shown["group"], int(shown["volume"])
    post = lambda url, body, token=None: json.load(urllib.request.urlopen(urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={"content-type": "application/json", **({"authorization": f"Bearer {token}"} if token else {})})))
    token = post(f"{sim}/sim/admin/tokens", {})["access_token"]
    dom, painted, sent, door = [], [], [], []
    for i in range(samples):
        volume = 10 + (volume + 7 - 10) % 80  # a new value each time, 10..89
        post(f"{sim}/control/api/v1/groups/{group}/groupVolume", {"volume": volume}, token)
        mine = lambda kind: (lambda l: l.startswith(f"mark {kind} ")
                             and fields(l).get("group") == group and fields(l).get("volume") == str(volume))
        received = int(wait_for(mine("relay"), f"the relay's receipt of volume {volume}")["at"])
        told = int(wait_for(mine("sent"), f"the webview told of volume {volume}")["at"])
        shown = int(wait_for(mine("dom"), f"the DOM showing volume {volume}")["at"])
        sent.append((told - received) / 1000)
        door.append((shown - told) / 1000)
        dom.append((shown - received) / 1000)
        painted.append((int(wait_for(mine("painted"), f"the frame with volume {volume}")["at"]) - received) / 1000)
finally:
    os.killpg(app.pid, signal.SIGTERM)
    app.wait()

def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]
for total, app_part, webview_part, n in sorted(zip(dom, sent, door, range(1, samples + 1)), reverse=True)[:5]:
    print(f"  slow: change {n}, {total:.1f} ms = {app_part:.1f} in the app + {webview_part:.1f} to the DOM",
          file=sys.stderr)
print(" ".join(f"{pct(v, p):.1f}" for v in (dom, painted, sent, door) for p in (50, 99)))
PY
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
spread() { sort -n | awk 'NR==1{min=$1} {max=$1} END {print min "–" max}'; }
results=""
for run in $(seq "$runs"); do
  r=$(one_run)
  say "run $run: relay → DOM p50/p99, → painted p50/p99, → webview told p50/p99, told → DOM p50/p99 (ms): $r"
  results+="$r"$'\n'
done
col() { printf '%s' "$results" | awk -v c="$1" 'NF {print $c}'; }
cell() { echo "$(col "$1" | median) ms ($(col "$1" | spread))"; }
echo "| Sonos event to the window, release, demo, $samples changes × $runs runs | p50, median of runs (range) | p99, median of runs (range) |"
echo "|---|---|---|"
echo "| relay receipt → the DOM shows it | $(cell 1) | $(cell 2) |"
echo "| relay receipt → the frame after it is painted | $(cell 3) | $(cell 4) |"
echo "| of which: relay receipt → the webview told (the app) | $(cell 5) | $(cell 6) |"
echo "| of which: the webview told → the DOM shows it | $(cell 7) | $(cell 8) |"
figure dom_p99_ms "$(col 2 | median)"
