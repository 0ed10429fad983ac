#!/usr/bin/env python3
"""Roomtone's own updates, end to end: the real window (Xvfb, tauri-driver +
WebKitWebDriver), Tauri's real updater, and a release server on loopback serving a
`latest.json` and a package signed with keys made for this run by the Tauri CLI's own
signer (`tauri signer generate` / `sign`, what the release workflow signs with).

The debug build trusts this run's key (`ROOMTONE_UPDATE_PUBKEY`) and installs into a scratch
file (`ROOMTONE_UPDATE_TARGET`) instead of itself; both are honoured by debug builds only.

1. A newer release is seen at start and reported in the window, with its date and notes.
2. A package signed with another key is refused with a clear message; nothing changes.
3. A manifest whose signature is not a signature is refused the same way.
4. The same package signed with the trusted key installs (what proves 2 and 3 were the
   signature's doing), and the window asks for a restart.
5. With the setting off, a second start makes no request to the release server at all.

Run inside scripts/keychain-session (the app reads its keychain at start). Prints one line
per scenario and a closing "N passed, N failed".
"""
import hashlib
import http.server
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import threading

from checks import Checks, end
from harness import APP, OUT, ROOT, WebDriver, free_port, quit_quietly, wait_until

TAURI = str(ROOT / "ui/node_modules/.bin/tauri")
VERSION = "99.0.0"
NOTES = "Faster grouping.\nThe sleep timer follows a regrouped room."
# What an AppImage starts with: the updater installs only an ELF executable on Linux.
PACKAGE = b"\x7fELF" + b"\x02\x01\x01" + b"\0" * 9 + b"Roomtone 99.0.0, made by e2e/updates.py\n" * 64


class Releases:
    """The release server: `latest.json` as `manifest` says, the package, and a log of every
    request it answered."""

    def __init__(self, folder: pathlib.Path):
        self.folder, self.manifest, self.requests = folder, None, []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the standard library's name
                server.requests.append(self.path)
                if self.path.startswith("/latest.json") and server.manifest is not None:
                    body, kind = json.dumps(server.manifest).encode(), "application/json"
                elif self.path == "/Roomtone_99.0.0_amd64.AppImage":
                    body, kind = PACKAGE, "application/octet-stream"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def offer(self, signature: str) -> None:
        self.manifest = {
            "version": VERSION, "notes": NOTES, "pub_date": "2026-12-01T10:00:00Z",
            "platforms": {"linux-x86_64": {"signature": signature, "url": f"{self.url}/Roomtone_99.0.0_amd64.AppImage"}},
        }


def signer(folder: pathlib.Path, name: str) -> tuple:
    """A new key pair from the Tauri CLI; returns (public key, signature of PACKAGE)."""
    key = folder / f"{name}.key"
    subprocess.run([TAURI, "signer", "generate", "--ci", "-p", "", "-w", str(key)], check=True, capture_output=True)
    package = folder / f"{name}.AppImage"
    package.write_bytes(PACKAGE)
    subprocess.run([TAURI, "signer", "sign", "-f", str(key), "-p", "", "--app-version", VERSION, str(package)],
                   check=True, capture_output=True)
    return (key.with_suffix(".key.pub").read_text().strip(), package.with_suffix(".AppImage.sig").read_text().strip())


def main() -> int:
    home = pathlib.Path(tempfile.mkdtemp(prefix="roomtone-updates-"))
    keys = home / "keys"
    keys.mkdir()
    trusted_key, trusted_signature = signer(keys, "trusted")
    _, other_signature = signer(keys, "other")
    releases = Releases(keys)
    target = home / "installed-roomtone"
    target.write_bytes(b"the copy an install replaces\n")
    target.chmod(0o755)
    app_before = hashlib.sha256(APP.read_bytes()).hexdigest()

    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE")}
    env.update(HOME=str(home), XDG_DATA_HOME=f"{home}/.local/share", XDG_CONFIG_HOME=f"{home}/.config", XDG_CACHE_HOME=f"{home}/.cache",
               ROOMTONE_WEBVIEW_COMPOSITING="on", ROOMTONE_PAGE_SLEEP_SECS="never",
               # Configured (not the demo, where nothing is checked) and signed out: the
               # relay's port is closed, and nothing here needs it.
               ROOMTONE_CLIENT_ID="roomtone-e2e-updates", ROOMTONE_RELAY_URL=f"http://127.0.0.1:{free_port()}",
               ROOMTONE_UPDATE_URL=f"{releases.url}/latest.json", ROOMTONE_UPDATE_PUBKEY=trusted_key,
               ROOMTONE_UPDATE_TARGET=str(target))
    display = f":{free_port() % 400 + 500}"
    processes = []
    OUT.mkdir(parents=True, exist_ok=True)

    def start(args, log):
        out = open(OUT / log, "w")
        process = subprocess.Popen(args, env=env, stdout=out, stderr=out)
        processes.append(process)
        return process

    checks = Checks("updates", expected=5)
    window = None
    try:
        start(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"], "updates-xvfb.log")
        env["DISPLAY"] = display
        driver_port, native_port = free_port(), free_port()
        start(["tauri-driver", "--port", str(driver_port), "--native-port", str(native_port)], "updates-tauri-driver.log")
        driver_url, native_url = f"http://127.0.0.1:{driver_port}", f"http://127.0.0.1:{native_port}"
        releases.offer(other_signature)
        window = WebDriver(driver_url, native_url)

        def scenario(name, body):
            checks.run(name, body, lambda n: window.screenshot(f"updates-FAILED-{n:02}"))

        def check_now():
            window.click('[data-test="open-settings"]')
            window.click('[data-test="check-now"]')
            window.click('[data-test="settings-close"]')

        def reported():
            window.find('[data-test="signed-out"]')
            assert window.text('[data-test="update-version"]') == f"Roomtone {VERSION} is available (2026-12-01).", window.text('[data-test="update-banner"]')
            assert window.text('[data-test="update-notes"]') == NOTES
            assert any(p.startswith("/latest.json") for p in releases.requests), releases.requests
            window.screenshot("updates-01-available")

        def wrong_key_refused():
            window.click('[data-test="update-install"]')
            said = window.text('[data-test="update-problem"]')
            assert "not signed with Roomtone's release key" in said and "nothing was changed" in said, said
            assert "/Roomtone_99.0.0_amd64.AppImage" in releases.requests, "the package was fetched and then refused"
            assert target.read_bytes() == b"the copy an install replaces\n", "the installed copy changed"
            assert hashlib.sha256(APP.read_bytes()).hexdigest() == app_before, "the app's binary changed"
            assert window.text('[data-test="update-install"]') == "Try again"
            window.screenshot("updates-02-wrong-key")

        def not_a_signature_refused():
            releases.offer("bm90IGEgc2lnbmF0dXJl")  # base64 of "not a signature"
            check_now()
            wait_until("the new offer", lambda: window.text('[data-test="update-install"]') == "Install")
            window.click('[data-test="update-install"]')
            said = window.text('[data-test="update-problem"]')
            assert "not signed with Roomtone's release key" in said, said
            assert target.read_bytes() == b"the copy an install replaces\n", "the installed copy changed"

        def trusted_installs():
            releases.offer(trusted_signature)
            check_now()
            wait_until("the new offer", lambda: window.text('[data-test="update-install"]') == "Install")
            window.click('[data-test="update-install"]')
            window.find('[data-test="update-restart"]')
            assert "Roomtone 99.0.0 is installed" in window.text('[data-test="update-banner"]')
            assert target.read_bytes() == PACKAGE, "the install did not put the package in place"
            assert hashlib.sha256(APP.read_bytes()).hexdigest() == app_before, "the app's binary changed"
            window.screenshot("updates-03-installed")

        def off_asks_nothing():
            nonlocal window
            window.quit()
            settings = home / ".config" / "com.roomtone.desktop" / "settings.json"
            saved = json.loads(settings.read_text()) if settings.exists() else {}
            settings.parent.mkdir(parents=True, exist_ok=True)
            settings.write_text(json.dumps({**saved, "checkUpdates": False}))
            releases.requests.clear()
            window = WebDriver(driver_url, native_url)
            window.find('[data-test="signed-out"]')
            window.click('[data-test="open-settings"]')
            # The state the core starts in once it knows the setting: with it on, this would
            # be a check under way or its answer.
            wait_until("the updates off", lambda: window.text('[data-test="update-summary"]') == "Automatic update checks are off.")
            assert releases.requests == [], releases.requests
            assert window.call("POST", "execute/sync", {"script": "return document.querySelectorAll('[data-test=update-banner]').length", "args": []}) == 0

        scenario("a newer release is seen at start and reported, with its date and notes", reported)
        scenario("a package signed with another key is refused, and nothing changes", wrong_key_refused)
        scenario("a manifest whose signature is not one is refused", not_a_signature_refused)
        scenario("the package signed with the trusted key installs, and a restart is asked for", trusted_installs)
        scenario("with the setting off, a start makes no request to the release server", off_asks_nothing)
    except Exception as err:  # noqa: BLE001 - reported as a failure of the whole run
        checks.failed("the updates' end-to-end run", err)
    finally:
        quit_quietly(window)
        releases.http.shutdown()
        end(processes)
        shutil.rmtree(home, ignore_errors=True)
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
