// The core's changes to the state (`state-changed`, made by `src-tauri/src/patch.rs`): each
// a value set at a path, or a field removed. Applied in place to the window's state (a
// Svelte state proxy), so only what reads a changed value updates.
import type { Op } from '../bindings';

type Node = Record<string | number, unknown>;

/** `root` with `ops` applied: changed in place, or the new root when an op sets it whole. */
export function applyOps<T>(root: T, ops: Op[]): T {
  for (const op of ops) {
    const last = op.path.at(-1);
    if (last === undefined) {
      if (op.op === 'set') root = op.value as T;
      continue;
    }
    let at = root as Node;
    for (const key of op.path.slice(0, -1)) at = at[key] as Node;
    if (op.op === 'set') at[last] = op.value;
    else delete at[last];
  }
  return root;
}
