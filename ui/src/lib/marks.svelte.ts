// Benchmark marks (bench/start.sh, bench/ui-events.sh): only when the app runs with
// ROOMTONE_BENCH_MARKS, which the answer to the first paint's mark tells. Then each group
// volume the window newly shows is marked once the DOM holds it, and again two animation
// frames later, when it is on screen.
import { commands, type GroupId } from '../bindings';

export const marks = $state({ on: false });

let last = '';

/** Marks the volume the group slider shows, if it is new. */
export function markShownVolume(group: GroupId | null) {
  const slider = document.querySelector<HTMLInputElement>('[data-test="group-volume"]');
  if (!marks.on || !group || !slider) return;
  const volume = Number(slider.value);
  if (`${group} ${volume}` === last) return;
  last = `${group} ${volume}`;
  void commands.appMark('dom', group, volume);
  requestAnimationFrame(() => requestAnimationFrame(() => void commands.appMark('painted', group, volume)));
}
