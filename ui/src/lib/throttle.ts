/**
 * Calls `send` at most once per `interval` milliseconds while values keep coming, and always
 * with the last value: a slider being dragged sends a few requests a second, and where it
 * stops is where the volume ends.
 */
export function throttle<T>(send: (value: T) => void, interval: number) {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending: { value: T } | null = null;

  const flush = () => {
    timer = null;
    if (!pending) return;
    const { value } = pending;
    pending = null;
    last = Date.now();
    send(value);
  };

  return (value: T) => {
    pending = { value };
    const wait = last + interval - Date.now();
    if (wait <= 0 && !timer) flush();
    else if (!timer) timer = setTimeout(flush, Math.max(wait, 0));
  };
}
