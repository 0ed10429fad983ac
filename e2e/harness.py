"""What the end-to-end scripts drive the real window with: WebDriver through tauri-driver,
the tray's menu over D-Bus, the app's processes and log, HTTP on loopback, and waiting for a
condition with a deadline (run.py, wayland.py)."""
import base64
import json
import os
import pathlib
import re
import select
import socket
import subprocess
import time
import http.client
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
APP = ROOT / "target" / "debug" / "roomtone"
OUT = ROOT / "e2e" / "output"
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C WebDriver element reference key


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call_http(method: str, url: str, body=None, timeout=60, headers=None):
    """One request on its own connection. Not urllib: it sends `Connection: close`, which
    tauri-driver forwards to WebKitWebDriver while pooling the connection to it, and a
    pooled connection the far end has closed fails the next command at random."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        data = None if body is None else json.dumps(body)
        connection.request(method, parts.path, body=data, headers={"content-type": "application/json", **(headers or {})})
        response = connection.getresponse()
        text = response.read().decode()
        if response.status >= 400:
            raise HttpError(response.status, text)
        return json.loads(text) if text else None
    finally:
        connection.close()


class HttpError(Exception):
    def __init__(self, status: int, text: str):
        super().__init__(f"HTTP {status}: {text[:300]}")


def wait_until_serving(url: str, limit: float = 20) -> None:
    """Waits for a server with no readiness signal but its port (tauri-driver, and the
    WebKitWebDriver it starts behind it): bounded, and an error if it never answers."""
    deadline = time.monotonic() + limit
    while True:
        try:
            call_http("GET", url, timeout=2)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} never answered")
            time.sleep(0.1)


def pidfds(pids) -> list:
    """Open pidfds of `pids`, to wait for their exit without polling."""
    fds = []
    for pid in pids:
        try:
            fds.append(os.pidfd_open(int(pid)))
        except ProcessLookupError:
            pass
    return fds


def app_pids() -> list:
    return subprocess.run(["pgrep", "-f", f"^{APP}$"], capture_output=True, text=True).stdout.split()


def app_processes() -> list:
    """The running app's processes."""
    return pidfds(app_pids())


def web_processes() -> list:
    """WebKit's web processes under the app (its page), wherever they sit in its tree."""
    return pidfds(web_pids())


def painted_on_the_cpu() -> bool:
    """Whether the app's web processes paint without WebKit's compositing (from their
    environment, as WebKit reads it); at least one must be running."""
    pids = web_pids()
    assert pids, "no web process under the app"
    return all(b"WEBKIT_DISABLE_COMPOSITING_MODE=1" in pathlib.Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
               for pid in pids)


def web_pids() -> list:
    parents = {}
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue  # a process that ended meanwhile
        parents[stat.parent.name] = (fields[1], b"WebKitWebProcess" in command)
    apps = set(app_pids())

    def under_app(pid):
        while pid in parents and pid not in apps:
            pid = parents[pid][0]
        return pid in apps

    return [pid for pid, (_, web) in parents.items() if web and under_app(pid)]


def wait_for_exit(fds: list, timeout: float = 30) -> None:
    for fd in fds:
        ready, _, _ = select.select([fd], [], [], timeout)
        os.close(fd)
        if not ready:
            raise RuntimeError("the app did not exit")


class Log:
    """A process's output read as it comes, for `wait_for` on its lines (the app's log)."""

    def __init__(self, process: subprocess.Popen):
        self.fd, self.pending = process.stdout.fileno(), b""
        os.set_blocking(self.fd, False)

    def wait_for(self, text: str, timeout: float = 30) -> str:
        """The next line that contains `text`."""
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self.pending:
                line, self.pending = self.pending.split(b"\n", 1)
                if text in line.decode(errors="replace"):
                    return line.decode(errors="replace")
            ready, _, _ = select.select([self.fd], [], [], max(0, deadline - time.monotonic()))
            if not ready:
                raise AssertionError(f"the app never logged {text!r}")
            chunk = os.read(self.fd, 65536)
            if not chunk:
                raise AssertionError(f"the app ended before it logged {text!r}")
            self.pending += chunk


def wait_for_line(process: subprocess.Popen, prefix: str) -> str:
    """The first stdout line that starts with `prefix` (processes print their address)."""
    for line in process.stdout:
        if line.startswith(prefix):
            return line.strip()
    raise RuntimeError(f"{prefix!r} never printed")


class WebDriver:
    """The few W3C WebDriver calls the scenarios need."""

    def __init__(self, base: str, native: str):
        self.base = base
        # tauri-driver proxies to WebKitWebDriver: both must be up before a session.
        wait_until_serving(f"{base}/status")
        wait_until_serving(f"{native}/status")
        caps = {"capabilities": {"alwaysMatch": {"browserName": "wry", "tauri:options": {"application": str(APP)}}}}
        self.session = call_http("POST", f"{base}/session", caps)["value"]["sessionId"]
        # Finding an element waits for it, up to this long: the window renders as data arrives.
        self.call("POST", "timeouts", {"implicit": 20000})

    def call(self, method: str, path: str, body=None):
        try:
            return call_http(method, f"{self.base}/session/{self.session}/{path}", body)["value"]
        except Exception as err:
            print(f"     webdriver {method} {path} {json.dumps(body)[:160]}: {err!r}", flush=True)
            raise

    def find(self, css: str) -> str:
        found = self.call("POST", "element", {"using": "css selector", "value": css})
        if ELEMENT not in found:
            raise AssertionError(f"no element {css!r}: {found!r}")
        return found[ELEMENT]

    def text(self, css: str) -> str:
        return self.call("GET", f"element/{self.find(css)}/text")

    def click(self, css: str) -> None:
        self.call("POST", f"element/{self.find(css)}/click", {})

    def type(self, css: str, text: str) -> None:
        self.call("POST", f"element/{self.find(css)}/value", {"text": text})

    def painted(self) -> None:
        """Waits until what the DOM holds has been painted: two animation frames."""
        self.call("POST", "execute/async", {"script": "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()));", "args": []})

    def screenshot(self, name: str) -> None:
        self.painted()
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / f"{name}.png").write_bytes(base64.b64decode(self.call("GET", "screenshot")))

    def quit(self) -> None:
        call_http("DELETE", f"{self.base}/session/{self.session}")


def quit_quietly(window) -> None:
    """Ends the session of `window` (if any) at the end of a run: a session already gone
    is no failure, its processes are ended anyway."""
    if window:
        try:
            window.quit()
        except Exception:  # noqa: BLE001 - the session may be gone already
            pass


TRAY_MENU = "/org/ayatana/NotificationItem/tray_icon_tray_app_main/Menu"


class Tray:
    """The app's real tray menu, as the desktop sees it: the com.canonical.dbusmenu object
    the app's indicator exports on the session bus, read and clicked with gdbus."""

    def __init__(self, env: dict):
        self.env = env
        names = self.gdbus("--dest", "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus",
                           "--method", "org.freedesktop.DBus.ListNames")
        app = set(subprocess.run(["pgrep", "-f", f"^{APP}$"], capture_output=True, text=True).stdout.split())
        for name in sorted(set(re.findall(r"'(:[0-9.]+)'", names))):
            try:
                pid = self.gdbus("--dest", "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus",
                                 "--method", "org.freedesktop.DBus.GetConnectionUnixProcessID", name)
            except subprocess.CalledProcessError:
                continue  # a connection that closed meanwhile
            if re.sub(r"\D", "", pid.replace("uint32", "")) not in app:
                continue
            self.owner = name
            try:  # the app has more than one connection; the indicator's answers
                self.items(timeout=3)
                return
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                continue
        raise AssertionError("no tray menu of the app on the session bus")

    def gdbus(self, *args: str, timeout: float = 10) -> str:
        return subprocess.run(["gdbus", "call", "--session", *args], env=self.env, check=True,
                              capture_output=True, text=True, timeout=timeout).stdout

    def items(self, timeout: float = 10) -> list:
        """(id, label, properties) of every item, submenus included, in order."""
        layout = self.gdbus("--dest", self.owner, "--object-path", TRAY_MENU,
                            "--method", "com.canonical.dbusmenu.GetLayout", "--", "0", "-1", "@as []", timeout=timeout)
        found = []
        for item, props in re.findall(r"\((\d+), \{([^{}]*)\}", layout):
            label = re.search(r"'label': <'((?:[^'\\]|\\.)*)'>", props)
            found.append((int(item), label.group(1) if label else "", props))
        return found

    def labels(self) -> list:
        return [label for _, label, _ in self.items() if label]

    def wait_for(self, what: str, ready, limit: float = 20) -> list:
        """The labels, once `ready(labels)` holds; the menu is rebuilt as the state changes."""
        deadline = time.monotonic() + limit
        while True:
            labels = self.labels()
            if ready(labels):
                return labels
            if time.monotonic() > deadline:
                raise AssertionError(f"the tray never showed {what}: {labels}")
            time.sleep(0.05)

    def click(self, label: str) -> None:
        # The menu is rebuilt when what it shows changes, which renumbers its items: an item
        # that vanished between reading and clicking is looked up again (three tries).
        for attempt in range(3):
            item = next((i for i, l, _ in self.items() if l == label), None)
            assert item is not None, f"no tray item {label!r}: {self.labels()}"
            try:
                self.gdbus("--dest", self.owner, "--object-path", TRAY_MENU, "--method", "com.canonical.dbusmenu.Event",
                           "--", str(item), "clicked", "<0>", "0")
                return
            except subprocess.CalledProcessError:
                if attempt == 2:
                    raise


def wait_until(what: str, ready, limit: float = 20):
    """Polls `ready()` until it returns something true (a condition with a deadline)."""
    deadline = time.monotonic() + limit
    while True:
        value = ready()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} never happened")
        time.sleep(0.05)
