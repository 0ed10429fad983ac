#!/usr/bin/env node
// Builds roomtone-cli for the target an installer is being made for, and puts it where
// Tauri's `externalBin` (src-tauri/bundle.conf.json) takes it from:
// target/cli/roomtone-cli-<target triple>[.exe]. Every installer then carries the CLI beside
// the app: /usr/bin on Linux (deb, rpm, AppImage), Contents/MacOS in the macOS bundle, the
// install folder on Windows (msi).
//
// Run by `tauri build --config src-tauri/bundle.conf.json` before the app is built (Tauri's
// build script checks that every external binary exists), from ui/. Node, not a shell
// script: the same hook runs under cmd.exe on Windows.
//
// The target: ROOMTONE_CLI_TARGET, else the one Tauri builds for (TAURI_ENV_TARGET_TRIPLE),
// else this machine's. For `universal-apple-darwin` both macOS architectures are built and
// joined with `lipo`; the per-architecture files are staged too (Tauri's build script looks
// for each while it builds each half of the universal app).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'target', 'cli');

function run(command, args) {
  console.error(`==> ${command} ${args.join(' ')}`);
  execFileSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

function hostTriple() {
  const info = execFileSync('rustc', ['-vV'], { encoding: 'utf8' });
  const host = /^host: (\S+)$/m.exec(info);
  if (!host) throw new Error('rustc -vV names no host target');
  return host[1];
}

/** Builds the CLI for one Rust target; returns the path of the binary. This machine's own
 * target is built without `--target`, in target/release beside the app's release build. */
function build(triple) {
  const own = triple === hostTriple();
  run('cargo', ['build', '--release', '--locked', '-p', 'roomtone-cli', ...(own ? [] : ['--target', triple])]);
  const exe = triple.includes('windows') ? '.exe' : '';
  return join(root, 'target', ...(own ? [] : [triple]), 'release', `roomtone-cli${exe}`);
}

function stage(binary, triple) {
  const exe = triple.includes('windows') ? '.exe' : '';
  const to = join(out, `roomtone-cli-${triple}${exe}`);
  copyFileSync(binary, to);
  chmodSync(to, 0o755);
  console.error(`==> staged ${to}`);
}

const triple = process.env.ROOMTONE_CLI_TARGET || process.env.TAURI_ENV_TARGET_TRIPLE || hostTriple();
mkdirSync(out, { recursive: true });
if (triple === 'universal-apple-darwin') {
  const halves = ['aarch64-apple-darwin', 'x86_64-apple-darwin'];
  const binaries = halves.map(build);
  halves.forEach((half, i) => stage(binaries[i], half));
  const universal = join(out, 'roomtone-cli-universal-apple-darwin');
  run('lipo', ['-create', '-output', universal, ...binaries]);
  console.error(`==> staged ${universal}`);
} else {
  stage(build(triple), triple);
}
