import { mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Live, artwork, clock, type Result } from '../../src/lib/live.svelte';
import { Toasts } from '../../src/lib/toasts.svelte';
import { home, snapshot } from '../fixtures';

const ok: Result = { status: 'ok', data: null };
const failed = (message: string): Result => ({ status: 'error', error: { kind: 'sonos', message } });

// The commands go through Tauri's IPC mocks: playback_toggle fails, the rest succeed.
const sent: { cmd: string; args: unknown }[] = [];
beforeAll(() => {
  (globalThis as { window?: unknown }).window ??= globalThis;
  mockIPC((cmd, args) => {
    sent.push({ cmd, args });
    if (cmd === 'playback_toggle') throw { kind: 'sonos', message: 'sonos refused play/pause (503)' };
    return null;
  });
});

function live() {
  const l = new Live(new Toasts(0));
  l.apply(snapshot([home()]));
  return l;
}

describe('Live', () => {
  it('keeps the newer of two snapshots, whatever order they arrive in', () => {
    const l = live();
    const newer = snapshot([home()], { revision: 5 });
    newer.live.households[0].groups[1].volume.volume = 55;
    const older = snapshot([home()], { revision: 4 });
    l.apply(newer);
    l.apply(older);
    expect(l.snapshot.live.revision).toBe(5);
    expect(l.households[0].groups[1].volume.volume).toBe(55);
  });

  it('shows an action at once and keeps the change until it is answered', async () => {
    const l = live();
    const office = l.households[0].groups[1];
    let answer!: (r: Result) => void;
    const done = l.change(office.id, { volume: 40 }, () => new Promise((r) => (answer = r)));
    expect(l.households[0].groups[1].volume.volume).toBe(40);
    answer(ok);
    expect(await done).toBe(true);
    // Answered: what Sonos says shows again (here, the snapshot was not updated).
    expect(l.households[0].groups[1].volume.volume).toBe(18);
  });

  it('rolls a failed action back and says why', async () => {
    const l = live();
    const office = l.households[0].groups[1];
    expect(office.state).toBe('paused');
    const done = l.toggle(office);
    expect(l.households[0].groups[1].state).toBe('playing');
    // Sonos refuses: the change is taken back and the reason shown.
    await expect(done).resolves.toBe(false);
    expect(l.households[0].groups[1].state).toBe('paused');
    expect(l.toasts.list.map((t) => t.message)).toEqual(['Sonos refused play/pause (503)']);
  });

  it('names the failure in a toast that starts a sentence', async () => {
    const l = live();
    await l.change('G-office', { muted: true }, async () => failed('sonos refused the mute (503)'));
    expect(l.toasts.list.map((t) => t.message)).toEqual(['Sonos refused the mute (503)']);
    expect(l.households[0].groups[1].volume.muted).toBe(false);
  });

  it('selects the playing group by default, then the one chosen, and keeps it', () => {
    const l = live();
    expect(l.group?.name).toBe('Living Room + 1');
    // Paused, it stays selected (the Den still plays).
    const paused = snapshot([home()], { revision: 2 });
    paused.live.households[0].groups[0].state = 'paused';
    l.apply(paused);
    expect(l.group?.name).toBe('Living Room + 1');
    l.select(l.households[0].groups[1]);
    expect(l.group?.name).toBe('Office');
    // A selected group that is gone gives way to the playing one.
    const regrouped = snapshot([home()], { revision: 3 });
    regrouped.live.households[0].groups.splice(1, 1);
    l.apply(regrouped);
    expect(l.group?.name).toBe('Living Room + 1');
  });

  it("after a regroup, selects the new group when Sonos's new grouping arrives", async () => {
    const l = live();
    l.select(l.households[0].groups[1]);
    // The command is answered before the new state arrives (as in the app).
    expect(await l.regroup(l.households[0].groups[1], ['P-office', 'P-patio'])).toBe(true);
    expect(l.group?.name).toBe('Office');
    const regrouped = snapshot([home()], { revision: 2 });
    const groups = regrouped.live.households[0].groups;
    groups[1] = { ...groups[1], id: 'G-office-2', name: 'Office + 1', rooms: [...groups[1].rooms, ...groups[3].rooms] };
    groups.splice(3, 1);
    l.apply(regrouped);
    expect(l.group?.id).toBe('G-office-2');
  });

  it('says it is offline only when Sonos cannot be reached', () => {
    const l = live();
    expect(l.offline).toBe(false);
    l.apply(snapshot([home()], { revision: 2, sync: { state: 'failed', kind: 'network', message: 'x' } }));
    expect(l.offline).toBe(true);
  });
});

describe('throttled volume', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('shows every value while dragging and sends a few, the last one always', async () => {
    const l = live();
    const office = l.households[0].groups[1];
    sent.length = 0;
    for (let v = 20; v <= 60; v++) {
      l.setGroupVolume(office, v);
      expect(l.households[0].groups[1].volume.volume).toBe(v);
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(1000);
    const volumes = sent.filter((s) => s.cmd === 'volume_set_group').map((s) => (s.args as { volume: number }).volume);
    expect(volumes[0]).toBe(20);
    expect(volumes.at(-1)).toBe(60);
    expect(volumes.length).toBeLessThanOrEqual(3);
    // Everything answered: the overlay is gone, what Sonos says shows.
    expect(l.changes).toEqual({});
  });

  it('a value still waiting to be sent stays shown when an earlier request is answered', async () => {
    const l = live();
    const office = l.households[0].groups[1];
    l.setGroupVolume(office, 30); // sent at once
    l.setGroupVolume(office, 31); // waits for the interval
    await vi.advanceTimersByTimeAsync(0); // the first request is answered
    expect(l.households[0].groups[1].volume.volume).toBe(31);
    await vi.advanceTimersByTimeAsync(1000);
    expect(l.changes).toEqual({});
  });
});

describe('artwork and clock', () => {
  it('loads https artwork and this computer, never a LAN address', () => {
    expect(artwork('https://art.example/a.jpg')).toBe('https://art.example/a.jpg');
    expect(artwork('http://127.0.0.1:7700/sim/art/a.svg')).toBe('http://127.0.0.1:7700/sim/art/a.svg');
    expect(artwork('http://192.168.1.20:1400/getaa?s=1')).toBeNull();
    expect(artwork('https://10.0.0.5/a.jpg')).toBeNull();
    expect(artwork('http://art.example/a.jpg')).toBeNull();
    expect(artwork(null)).toBeNull();
    expect(artwork('not a url')).toBeNull();
  });

  it('writes track times as people read them', () => {
    expect(clock(0)).toBe('0:00');
    expect(clock(245_000)).toBe('4:05');
    expect(clock(3_723_000)).toBe('1:02:03');
    expect(clock(null)).toBe('–:––');
  });
});
