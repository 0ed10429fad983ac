#!/usr/bin/env python3
"""The Windows installer, read and run under Wine (scripts/windows-check).

    windows.py <Roomtone_..._x64-setup.exe>

Reads what the installer carries (7-Zip lists an NSIS installer's files), then installs it
silently into the Wine prefix in $WINEPREFIX and checks what a Windows user gets: the app,
its WebView2 loader and the uninstaller in %LOCALAPPDATA%\\Programs\\Roomtone, the CLI in its
bin folder and on the user's PATH (once, with what was there kept, unexpanded), the
roomtone:// scheme opening roomtone.exe with the link, the Start menu entry and the entry
in Apps & features. A reinstall adds nothing twice; a PATH too long to edit is left as it
was; the uninstaller takes everything back, the autostart entry included.

Between install and uninstall it runs the CLI's signed-in scenario (crates/cli/tests/cli.rs)
with the installed roomtone-cli.exe, under Wine, against the simulator and a relay on
loopback: the tokens in Wine's Credential Manager and nowhere on disk.

Prints one line per check and a closing "N passed, N failed".
"""
import os
import pathlib
import re
import subprocess
import sys

from checks import Checks

ROOT = pathlib.Path(__file__).resolve().parent.parent
PREFIX = pathlib.Path(os.environ["WINEPREFIX"])
APP_KEY = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\Roomtone"
RUN_KEY = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run"
SCHEME_KEY = r"HKCU\Software\Classes\roomtone"
ENV_KEY = r"HKCU\Environment"


def wine(*args: str, check=True) -> subprocess.CompletedProcess:
    done = subprocess.run(["wine", *args], capture_output=True, text=True, errors="replace")
    if check and done.returncode != 0:
        raise AssertionError(f"wine {' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
    return done


def reg_value(key: str, name: str | None):
    """The value as `reg query` shows it, or None when the key or value is not there."""
    args = ["reg", "query", key] + (["/ve"] if name is None else ["/v", name])
    done = wine(*args, check=False)
    if done.returncode != 0:
        return None
    for line in done.stdout.splitlines():
        # "    <name>    REG_<kind>    <value>"; a name may hold spaces ("URL Protocol").
        found = re.match(r"^\s+(.+?)\s+(REG_\w+)\s*(.*)$", line)
        if found and found[1].lower() == ("(default)" if name is None else name.lower()):
            return found[2], found[3]
    return None


def reg_set(key: str, name: str, kind: str, value: str):
    wine("reg", "add", key, "/v", name, "/t", kind, "/d", value, "/f")


def reg_delete(key: str, name: str):
    wine("reg", "delete", key, "/v", name, "/f", check=False)


def windows_path(unix: pathlib.Path) -> str:
    return wine("winepath", "-w", str(unix)).stdout.strip()


def unix_path(windows: str) -> pathlib.Path:
    return pathlib.Path(wine("winepath", "-u", windows).stdout.strip())


def install(installer: pathlib.Path):
    # /S: silent, as `winget` and an administrator's script run it.
    wine(str(installer), "/S")


def uninstall(location: pathlib.Path):
    # The NSIS uninstaller copies itself away and returns at once; _?= runs it in place, so
    # it has finished when it returns.
    wine(str(location / "uninstall.exe"), "/S", f"_?={windows_path(location)}")
    (location / "uninstall.exe").unlink(missing_ok=True)
    try:
        location.rmdir()
    except OSError:
        pass


def main() -> int:
    installer = pathlib.Path(sys.argv[1]).resolve()
    checks = Checks("windows", expected=7)

    local = wine("cmd", "/c", "echo %LOCALAPPDATA%").stdout.strip()
    location = unix_path(local + r"\Programs\Roomtone")
    bin_dir = local + r"\Programs\Roomtone\bin"
    kept_path = r"C:\tools;%USERPROFILE%\bin"

    def contents():
        listing = subprocess.run(["7z", "l", "-ba", str(installer)], capture_output=True, text=True, check=True).stdout
        names = {line.split()[-1].replace("\\", "/") for line in listing.splitlines() if line.strip()}
        for wanted in ["roomtone.exe", "WebView2Loader.dll", "bin/roomtone-cli.exe"]:
            assert any(n.endswith(wanted) for n in names), f"{wanted} is not in the installer: {sorted(names)}"

    def installs():
        reg_set(ENV_KEY, "Path", "REG_EXPAND_SZ", kept_path)
        install(installer)
        for name in ["roomtone.exe", "WebView2Loader.dll", "uninstall.exe", "bin/roomtone-cli.exe"]:
            assert (location / name).is_file(), f"{name} is not in {location}"
        command = reg_value(SCHEME_KEY + r"\shell\open\command", None)
        assert command and command[1] == f'"{windows_path(location / "roomtone.exe")}" "%1"', command
        assert reg_value(SCHEME_KEY, "URL Protocol") is not None, "roomtone:// is not a URL scheme"
        path = reg_value(ENV_KEY, "Path")
        assert path == ("REG_EXPAND_SZ", f"{kept_path};{bin_dir}"), path
        entry = reg_value(APP_KEY, "DisplayVersion")
        assert entry and entry[1] == cargo_version(), entry
        start_menu = wine("cmd", "/c", r"echo %APPDATA%\Microsoft\Windows\Start Menu\Programs").stdout.strip()
        assert (unix_path(start_menu) / "Roomtone.lnk").is_file(), "no Start menu entry"

    def cli_runs():
        done = wine(str(location / "bin" / "roomtone-cli.exe"), "--version")
        assert done.stdout.strip() == f"roomtone-cli {cargo_version()}", done.stdout

    def reinstall_adds_nothing_twice():
        install(installer)
        path = reg_value(ENV_KEY, "Path")
        assert path == ("REG_EXPAND_SZ", f"{kept_path};{bin_dir}"), path

    def cli_scenario():
        env = dict(os.environ, ROOMTONE_CLI_EXE=str(location / "bin" / "roomtone-cli.exe"))
        done = subprocess.run(
            ["cargo", "test", "--locked", "-p", "roomtone-cli", "--test", "cli", "--",
             "--include-ignored", "--exact", "--test-threads=1",
             "sign_in_then_status_toggle_and_volume", "under_wine_the_tokens_are_in_the_credential_manager_only"],
            cwd=ROOT, env=env, capture_output=True, text=True)
        passed = done.stdout.count(" ... ok")
        assert done.returncode == 0 and passed == 2, done.stdout[-4000:] + done.stderr[-4000:]

    def uninstalls():
        reg_set(RUN_KEY, "Roomtone", "REG_SZ", f'"{windows_path(location / "roomtone.exe")}"')
        uninstall(location)
        assert not location.exists(), f"{location} is left: {list(location.rglob('*'))}"
        assert reg_value(SCHEME_KEY + r"\shell\open\command", None) is None, "roomtone:// is left"
        assert reg_value(APP_KEY, "DisplayName") is None, "the Apps & features entry is left"
        assert reg_value(RUN_KEY, "Roomtone") is None, "the autostart entry is left"
        assert reg_value(ENV_KEY, "Path") == ("REG_EXPAND_SZ", kept_path), reg_value(ENV_KEY, "Path")

    def long_path_is_left_alone():
        long_path = ";".join(rf"C:\very long folder name number {i:03}" for i in range(40))
        assert len(long_path) > 1000
        reg_set(ENV_KEY, "Path", "REG_EXPAND_SZ", long_path)
        install(installer)
        assert (location / "bin" / "roomtone-cli.exe").is_file()
        assert reg_value(ENV_KEY, "Path") == ("REG_EXPAND_SZ", long_path), "a long PATH was changed"
        uninstall(location)
        assert reg_value(ENV_KEY, "Path") == ("REG_EXPAND_SZ", long_path), "a long PATH was changed"
        reg_delete(ENV_KEY, "Path")

    checks.run("the installer carries roomtone.exe, WebView2Loader.dll and bin/roomtone-cli.exe", contents)
    checks.run("a silent install: the files, roomtone:// opening the app with the link, PATH, Start menu, Apps & features", installs)
    checks.run("the installed roomtone-cli.exe runs and says its version", cli_runs)
    checks.run("a reinstall adds the CLI's folder to PATH once", reinstall_adds_nothing_twice)
    checks.run("the CLI's scenario under Wine: signed out, sign in through the relay, status, toggle, volume, logout", cli_scenario)
    checks.run("the uninstaller takes everything back, the autostart entry included, and restores PATH", uninstalls)
    checks.run("a PATH too long to edit is left as it was, on install and uninstall", long_path_is_left_alone)

    return checks.summary()


def cargo_version() -> str:
    for line in (ROOT / "Cargo.toml").read_text().split("[workspace.package]", 1)[1].splitlines():
        if line.startswith("version = "):
            return line.split('"')[1]
    raise AssertionError("no version in Cargo.toml")


if __name__ == "__main__":
    sys.exit(main())
