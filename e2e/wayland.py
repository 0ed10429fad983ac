#!/usr/bin/env python3
"""The real app window as a native Wayland client, under a headless Weston (scripts/e2e).

Starts `weston --backend=headless-backend.so` on a private socket, then the app through
tauri-driver + WebKitWebDriver with GDK_BACKEND=wayland and no X display at all (GTK cannot
fall back to X11), unconfigured: the demo household. Checks that the page paints the
household and that the window is on the compositor's screen, and saves both pictures in
e2e/output/: wayland-page.png (WebKit's) and wayland-screen.png (Weston's, decorations and
all). Then the global hotkeys through the desktop's portal: a stand-in for it
(roomtone-standin-portal) owns the portal's name on the session bus, the settings turn the
hotkeys on, and its presses reach the demo's group (as the media session shows it). Run it
inside a D-Bus session of its own (the app's single instance and media session use one, and
the stand-in takes the portal's name on it).

Prints one line per check and a closing "N passed, N failed".
"""
import os
import pathlib
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

from checks import Checks, end
from harness import OUT, ROOT, Log, WebDriver, free_port, painted_on_the_cpu, quit_quietly, wait_until

STANDIN = ROOT / "target" / "debug" / "roomtone-standin-portal"


def png_pixels(data: bytes):
    """(width, height, rows of (r, g, b)) of an 8-bit RGB or RGBA, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    at, idat, header = 8, b"", None
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, header
    size = 3 if color == 2 else 4
    raw, stride, rows, previous = zlib.decompress(idat), width * size, [], bytearray(width * size)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - size] if i >= size else 0
            up, corner = previous[i], previous[i - size] if i >= size else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append([tuple(line[x * size:x * size + 3]) for x in range(width)])
        previous = line
    return width, height, rows


def main() -> int:
    work = pathlib.Path(tempfile.mkdtemp(prefix="roomtone-wayland-"))
    runtime = work / "runtime"
    runtime.mkdir(mode=0o700)
    socket = f"wayland-roomtone-{free_port()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROOMTONE_") and k not in ("DISPLAY", "XAUTHORITY")}
    env.update(HOME=str(work), XDG_RUNTIME_DIR=str(runtime), XDG_CONFIG_HOME=str(work / ".config"),
               XDG_DATA_HOME=str(work / ".local/share"), XDG_CACHE_HOME=str(work / ".cache"),
               WAYLAND_DISPLAY=socket, GDK_BACKEND="wayland", ROOMTONE_PAGE_SLEEP_SECS="never")
    OUT.mkdir(parents=True, exist_ok=True)
    processes, checks = [], Checks("wayland", expected=3)

    def start(args, log, **pipes):
        out = open(OUT / log, "w")
        process = subprocess.Popen(args, env=env, stdout=pipes.get("stdout", out), stderr=out, stdin=pipes.get("stdin"))
        processes.append(process)
        return process

    window = None
    try:
        # The pixman renderer and --debug: Weston's screenshooter needs both.
        # The desktop's portal, before the app: it binds whatever is asked but the mute
        # shortcut (as a desktop whose user left one out).
        portal = start([str(STANDIN), "--refuse", "mute"], "standin-portal.log", stdout=subprocess.PIPE, stdin=subprocess.PIPE)
        said = Log(portal)
        said.wait_for("ready")
        start(["weston", "--backend=headless-backend.so", "--use-pixman", f"--socket={socket}",
               "--width=1280", "--height=800", "--debug", "--idle-time=0"], "weston.log")
        wait_until("Weston's socket", lambda: (runtime / socket).exists())
        driver_port, native_port = free_port(), free_port()
        start(["tauri-driver", "--port", str(driver_port), "--native-port", str(native_port)], "tauri-driver-wayland.log")
        window = WebDriver(f"http://127.0.0.1:{driver_port}", f"http://127.0.0.1:{native_port}")

        def paints_the_household():
            window.find('[data-test="groups"]')
            names = window.call("POST", "execute/sync", {"script": "return [...document.querySelectorAll('[data-test=group]')].map((e) => e.dataset.group).join(', ')", "args": []})
            for group in ["Living Room + 1", "Office", "Den"]:
                assert group in names, names
            # Roomtone's default on Linux: the page is painted on the CPU.
            assert painted_on_the_cpu(), "the web process composites"

        def screen(name):
            """The compositor's screenshot, as OUT/NAME.png: the page is painted on the CPU
            here (Roomtone's default on Linux), where WebKitWebDriver's screenshot never
            answers. Its pixels."""
            window.painted()
            shots = pathlib.Path(tempfile.mkdtemp(dir=work))
            subprocess.run(["weston-screenshooter"], cwd=shots, env=env, check=True, timeout=60)
            shot = next(shots.glob("wayland-screenshot-*.png"))
            shutil.copy(shot, OUT / f"{name}.png")
            return png_pixels(shot.read_bytes())

        def on_the_screen():
            width, height, rows = screen("wayland-screen")
            assert (width, height) == (1280, 800), (width, height)
            # Weston's empty desktop is one colour; the window covers much of it.
            background = rows[0][0]
            differing = sum(1 for row in rows[::8] for pixel in row[::8] if pixel != background)
            sampled = len(rows[::8]) * len(rows[0][::8])
            assert differing > sampled // 4, f"only {differing} of {sampled} sampled pixels are not the desktop's"

        def tell(command):
            portal.stdin.write(f"{command}\n".encode())
            portal.stdin.flush()
            said.wait_for(f"done {command.split()[0]}")

        def script(js):
            return window.call("POST", "execute/sync", {"script": js, "args": []})

        def playback():
            """The media session's status (the group the hotkeys control); None until it is on the bus."""
            done = subprocess.run(["playerctl", "-p", "roomtone", "status"], env=env, capture_output=True, text=True, timeout=20)
            return done.stdout.strip() if done.returncode == 0 else None

        def via():
            return script("return document.querySelector('[data-test=hotkeys-via]')?.textContent ?? ''")

        def hotkeys_through_the_portal():
            window.click('[data-test="open-settings"]')
            window.click('[data-test="hotkeys-enabled"]')
            window.click('[data-test="settings-save"]')
            # The app tells the portal its ID, then asks for every shortcut set, with the
            # settings' keys as the triggers it would like.
            said.wait_for("registered com.roomtone.desktop")
            asked = said.wait_for("asked ").split()
            assert asked[2:] == ["play-pause=CTRL+ALT+p", "next=CTRL+ALT+Right", "previous=CTRL+ALT+Left",
                                 "volume-up=CTRL+ALT+Up", "volume-down=CTRL+ALT+Down", "mute=CTRL+ALT+m"], asked
            # What the desktop bound, and what it left out: the window stays open to say so.
            problem = window.text('[data-test="settings-problem"]')
            assert problem.startswith("The desktop did not bind the mute shortcut"), problem
            bound = wait_until("the portal's answer", lambda: "global-shortcuts portal:" in via() and via())
            assert "play/pause CTRL+ALT+p" in bound and "mute" not in bound, bound
            script("document.querySelector('[data-test=hotkeys-via]').scrollIntoView({block: 'center'})")
            screen("wayland-settings-portal")
            # The user changes a key in the desktop's settings: the window follows.
            tell("change play-pause=CTRL+SHIFT+p next=CTRL+ALT+Right")
            wait_until("the changed keys shown", lambda: "play/pause CTRL+SHIFT+p" in via())
            window.click('[data-test="settings-close"]')
            # A press of the play/pause shortcut toggles the group the hotkeys control.
            before = wait_until("the media session", playback)
            tell("press play-pause")
            wait_until("the hotkey's toggle", lambda: playback() not in (None, before))
            tell("press play-pause")
            wait_until("the hotkey's toggle back", lambda: playback() == before)
            # Turned off: the portal's session is closed.
            window.click('[data-test="open-settings"]')
            window.click('[data-test="hotkeys-enabled"]')
            window.click('[data-test="settings-save"]')
            said.wait_for("closed ")
            wait_until("the settings closing", lambda: script("return !document.querySelector('dialog[open]')"))
            # On again (a new session, once the old one is closed), then the portal goes away:
            # the window, still open for the mute shortcut left out, says the hotkeys went with it.
            window.click('[data-test="open-settings"]')
            window.click('[data-test="hotkeys-enabled"]')
            window.click('[data-test="settings-save"]')
            said.wait_for("asked ")
            wait_until("bound again", lambda: "global-shortcuts portal:" in via())
            portal.stdin.close()
            portal.wait(timeout=20)
            problems = "return [...document.querySelectorAll('[data-test=settings-problem]')].map((p) => p.textContent).join(' | ')"
            gone = wait_until("the end of the session said", lambda: "went away" in script(problems) and script(problems))
            assert "Turn hotkeys off and on again" in gone, gone
            assert via() == "", via()

        checks.run("the demo household is painted in the window, a native Wayland client (no X display)", paints_the_household)
        checks.run("the window is on Weston's screen (its screenshot)", on_the_screen)
        checks.run("global hotkeys through the desktop's portal: asked for, bound but one, changed, pressed, released, asked again, gone with the portal", hotkeys_through_the_portal)
    except Exception as err:  # noqa: BLE001 - a failure to start is a failed check too
        checks.failed("start Weston and the app", err)
    finally:
        quit_quietly(window)
        end(processes)
        shutil.rmtree(work, ignore_errors=True)
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
