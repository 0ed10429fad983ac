#!/usr/bin/env bash
# Waking the page: Roomtone's window hidden until its page sleeps (ROOMTONE_PAGE_SLEEP_SECS=0:
# at once), then the tray's "Show Roomtone" — from the wake to the page's first paint and
# to the household painted again (marks printed with ROOMTONE_BENCH_MARKS). Release build,
# demo mode, under Xvfb in a private D-Bus session; the tray's real menu is clicked over the
# session bus as in the end-to-end test. `RUNS` wakes (default 10); median and range.
# Prints one Markdown table on standard output.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

need_app_build
need_commands python3:python3 gdbus:libglib2.0-bin
build_ui >&2
bench_builds

bench_display

# The table goes to descriptor 3 (standard output here): the session's services write to
# their standard output too.
dbus-run-session -- python3 - "${RUNS:-10}" 3>&1 1>&2 <<'PY'
import os, pathlib, queue, statistics, subprocess, sys, tempfile, threading
sys.path.insert(0, str(pathlib.Path("e2e").resolve()))
import run as e2e  # the tray's menu over D-Bus, and the page's processes

runs = int(sys.argv[1])
home = tempfile.mkdtemp()
env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=f"{home}/.config", XDG_DATA_HOME=f"{home}/.local/share",
           XDG_CACHE_HOME=f"{home}/.cache", ROOMTONE_PAGE_SLEEP_SECS="0", ROOMTONE_BENCH_MARKS="1")
e2e.APP = pathlib.Path("target/release/roomtone").resolve()
app = subprocess.Popen([str(e2e.APP)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
lines = queue.Queue()
threading.Thread(target=lambda: [lines.put(l) for l in app.stdout], daemon=True).start()

def mark(prefix):
    """The time (µs since the app's start) of the app's next mark starting with `prefix`."""
    while True:
        try:
            line = lines.get(timeout=30)
        except queue.Empty:
            sys.exit(f"the app never printed {prefix!r}")
        if line.startswith(prefix):
            return int(line.split("at=")[1])

try:
    mark("painted household")
    tray = e2e.Tray(env)
    first, household = [], []
    for _ in range(runs):
        pages = e2e.web_processes()
        tray.click("Hide Roomtone")
        e2e.wait_for_exit(pages)
        tray.wait_for("the window hidden", lambda l: "Show Roomtone" in l)
        tray.click("Show Roomtone")
        woke = mark("page wakes")
        first.append((mark("painted first") - woke) / 1000)
        household.append((mark("painted household") - woke) / 1000)
        tray.wait_for("the window shown", lambda l: "Hide Roomtone" in l)
finally:
    app.terminate()
    app.wait()
cell = lambda v: f"{statistics.median(v):.0f} ms ({min(v):.0f}–{max(v):.0f})"
with os.fdopen(3, "w") as table:
    print(f"| waking the page, release, demo, {runs} wakes | median (range) |", file=table)
    print("|---|---|", file=table)
    print(f"| \"Show Roomtone\" → the page's first paint | {cell(first)} |", file=table)
    print(f"| \"Show Roomtone\" → the household painted | {cell(household)} |", file=table)
PY
