#!/usr/bin/env bash
# Installer and binary sizes of Roomtone beside the minimal Tauri 2 app (bench/minimal),
# both bundled by the same Tauri CLI with the same release profile, in this run. Prints a
# Markdown table on standard output.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

scripts/bundle >&2
say "the minimal app's installers"
(cd bench/minimal && ../../ui/node_modules/.bin/tauri build --bundles deb,rpm --config '{"bundle":{"active":true}}' >&2)
size() { awk '{printf "%.2f MiB", $1 / 1048576}' <<<"$(stat -c %s "$1")"; }
figure deb_mib "$(size "$(ls -t target/release/bundle/deb/Roomtone_*.deb | head -1)" | cut -d' ' -f1)"
figure minimal_deb_mib "$(size "$(ls -t target/release/bundle/deb/Minimal_*.deb | head -1)" | cut -d' ' -f1)"
one() { ls -t $1 2>/dev/null | head -1; }
echo "| | Roomtone | minimal Tauri 2 app |"
echo "|---|---|---|"
echo "| deb | $(size "$(one 'target/release/bundle/deb/Roomtone_*.deb')") | $(size "$(one 'target/release/bundle/deb/Minimal_*.deb')") |"
echo "| rpm | $(size "$(one 'target/release/bundle/rpm/Roomtone-*.rpm')") | $(size "$(one 'target/release/bundle/rpm/Minimal-*.rpm')") |"
echo "| release binary | $(size target/release/roomtone) | $(size target/release/roomtone-bench-minimal) |"
