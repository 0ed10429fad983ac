# Shared by scripts/run and scripts/test: install what is missing, say what happens.
# Sourced, not run. Safe to use twice: everything checks before it installs.

# Progress goes to stderr, so a script's standard output (a bench table) stays clean.
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }
# figure NAME VALUE: one figure for the table of goals bench/run prints at its end (kept in
# $BENCH_FIGURES while bench/run runs a part; nothing otherwise).
figure() { if [ -n "${BENCH_FIGURES:-}" ]; then echo "$1 $2" >>"$BENCH_FIGURES"; fi; }

# Runs a command as root: directly when root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else fail "need root to run: $* (install sudo or run as root)"
  fi
}

APT_UPDATED=
# apt_install PKG...: installs the Debian/Ubuntu packages that are not installed yet.
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || fail "missing packages ${missing[*]}, and this is not a Debian/Ubuntu system: install them by hand"
  if [ -z "$APT_UPDATED" ]; then
    say "apt-get update"
    as_root apt-get update -qq >&2
    APT_UPDATED=1
  fi
  say "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# need_commands CMD:PKG...: installs PKG when CMD is not on the PATH.
need_commands() {
  local pair packages=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || packages+=("${pair##*:}")
  done
  [ ${#packages[@]} -eq 0 ] || apt_install "${packages[@]}"
}

# need_rust: cargo with rustfmt and clippy.
need_rust() {
  command -v cargo >/dev/null 2>&1 || fail "cargo is not installed: install Rust with rustup (https://rustup.rs), then run this again"
  local component
  for component in rustfmt clippy; do
    if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
      say "adding the Rust component $component"
      rustup component add "$component" || fail "could not add $component: run 'rustup component add $component'"
    fi
  done
}

# need_targets TRIPLE...: adds the rustup targets (the standard library for each) not added yet.
need_targets() {
  local installed missing=() target
  installed=$(rustup target list --installed 2>/dev/null) || fail "rustup is needed to add the targets $*"
  for target in "$@"; do
    grep -qx "$target" <<<"$installed" || missing+=("$target")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "adding the Rust targets ${missing[*]}"
  rustup target add "${missing[@]}" || fail "could not add ${missing[*]}: run 'rustup target add ${missing[*]}'"
}

# The Debian packages Tauri builds against (TOOLCHAIN.md), and Node for the webview.
TAURI_BUILD_PACKAGES=(libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev
  libsoup-3.0-dev libjavascriptcoregtk-4.1-dev libdbus-1-dev build-essential pkg-config file xdg-utils)

need_app_build() {
  need_commands cc:build-essential pkg-config:pkg-config node:nodejs npm:npm
  apt_install "${TAURI_BUILD_PACKAGES[@]}"
  need_rust
}

# ui_packages: installs the webview's npm packages when the lock file changed.
ui_packages() {
  if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    # `npm install`, not `npm ci`: the npm here writes lock files without other platforms'
    # optional packages, which its own `npm ci` then refuses. The direct dependencies are
    # pinned exactly in package.json; the lock file pins the rest where it can.
    say "npm install (ui)"
    (cd ui && npm install --no-audit --no-fund)
  fi
}

# build_ui: the webview's npm packages (ui_packages), then the webview built into ui/dist,
# which the app embeds at compile time.
build_ui() {
  ui_packages
  say "building the webview (ui/dist)"
  # Built beside it and put in place only when something differs: the app embeds ui/dist at
  # compile time, and rewritten files (same bytes, new times) would make Cargo build it again.
  rm -rf ui/dist.next
  (cd ui && npm run build --silent -- --outDir dist.next)
  if diff -r ui/dist ui/dist.next >/dev/null 2>&1; then
    rm -rf ui/dist.next
  else
    rm -rf ui/dist && mv ui/dist.next ui/dist
  fi
}

# bench_builds: the release builds the benchmarks measure, always the same packages
# together: Cargo unifies features across the packages of one build, so building another
# set (the app alone, or with the minimal app) would build Tauri and the app again, minutes
# each time.
bench_builds() {
  say "release builds: Roomtone, the minimal app, the simulator, the relay, the load generator"
  cargo build --release --locked -p roomtone -p roomtone-bench-minimal -p roomtone-sim \
    -p roomtone-relay -p roomtone-bench-load >&2
}

# Starts a private Xvfb display for a benchmark of the real window (stopped on exit; the
# packages installed first), and leaves the app unconfigured: demo mode, unless a benchmark
# configures it itself.
bench_display() {
  apt_install xvfb xauth dbus
  local display=":$((RANDOM % 400 + 500))"
  Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  BENCH_XVFB=$!
  trap 'kill $BENCH_XVFB 2>/dev/null || true' EXIT
  export DISPLAY=$display
  unset ROOMTONE_CLIENT_ID ROOMTONE_RELAY_URL
}
