import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttle } from '../../src/lib/throttle';

describe('throttle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends the first value at once, then at most one per interval, and always the last', () => {
    const sent: number[] = [];
    const send = throttle((v: number) => sent.push(v), 250);
    // A drag: a value every 10 ms for a second.
    for (let v = 0; v <= 100; v++) {
      send(v);
      vi.advanceTimersByTime(10);
    }
    vi.advanceTimersByTime(1000);
    expect(sent[0]).toBe(0);
    expect(sent.at(-1)).toBe(100);
    expect(sent.length).toBeLessThanOrEqual(6);
    expect(sent.length).toBeGreaterThanOrEqual(4);
  });

  it('sends a lone value once', () => {
    const sent: number[] = [];
    const send = throttle((v: number) => sent.push(v), 250);
    send(7);
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([7]);
  });
});
