import { mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Action, Numbered } from '../../src/bindings';
import { Live, clock, positionAt } from '../../src/lib/live.svelte';
import { Toasts } from '../../src/lib/toasts.svelte';
import { group, home, room, snapshot } from '../fixtures';

// The commands go through Tauri's IPC mocks: a toggle is refused, a regroup makes
// `G-office-2`, the rest succeed.
const sent: Action[] = [];
let signIn: () => unknown = () => null;
/** What `household_snapshot` answers, and how many times it was asked. */
let whole: Numbered = { seq: 0, snapshot: snapshot([home()]) };
let asked = 0;
beforeAll(() => {
  (globalThis as { window?: unknown }).window ??= globalThis;
  mockIPC((cmd, args) => {
    if (cmd === 'session_sign_in') return signIn();
    if (cmd === 'household_snapshot') {
      asked += 1;
      return whole;
    }
    if (cmd !== 'control_perform') return null;
    const action = (args as { action: Action }).action;
    sent.push(action);
    if (action.kind === 'toggle') throw { kind: 'sonos', message: 'sonos refused play/pause (503)' };
    if (action.kind === 'setGroupMembers') return { group: 'G-office-2' };
    return { group: null };
  });
});

beforeEach(() => {
  sent.length = 0;
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

  it('applies a change that follows the snapshot shown in place, and drops one it has already', () => {
    const l = live();
    l.show({ seq: 7, snapshot: snapshot([home()]) });
    const living = l.households[0].groups[0];
    l.change({ base: 7, seq: 8, ops: [{ op: 'set', path: ['live', 'households', 0, 'groups', 1, 'volume', 'volume'], value: 61 }, { op: 'set', path: ['live', 'revision'], value: 2 }] });
    expect(l.households[0].groups[1].volume.volume).toBe(61);
    expect(l.snapshot.live.revision).toBe(2);
    // What did not change is the same object: nothing that shows it is drawn again.
    expect(l.households[0].groups[0]).toBe(living);
    // Sent again (or older): nothing changes, nothing is asked.
    l.change({ base: 7, seq: 8, ops: [{ op: 'set', path: ['live', 'households', 0, 'groups', 1, 'volume', 'volume'], value: 3 }] });
    expect(l.households[0].groups[1].volume.volume).toBe(61);
    l.change({ base: 8, seq: 9, ops: [{ op: 'remove', path: ['live', 'focus'] }, { op: 'set', path: [], value: snapshot([]) }] });
    expect(l.households).toEqual([]);
  });

  it('asks for the whole snapshot when a number is missing, and applies what came meanwhile', async () => {
    const l = live();
    l.show({ seq: 3, snapshot: snapshot([home()]) });
    asked = 0;
    whole = { seq: 10, snapshot: snapshot([home()], { revision: 10 }) };
    const volume = (seq: number, value: number) => ({ base: seq - 1, seq, ops: [{ op: 'set' as const, path: ['live', 'households', 0, 'groups', 1, 'volume', 'volume'], value }] });
    l.change(volume(10, 40)); // 4…9 never came
    // While the answer is on its way: one already in it, and the one after it.
    l.change(volume(9, 30));
    l.change(volume(11, 50));
    expect(asked).toBe(1);
    await vi.waitFor(() => expect(l.snapshot.live.revision).toBe(10));
    expect(l.households[0].groups[1].volume.volume).toBe(50);
    expect(asked).toBe(1);
  });

  it("shows the core's households as they are, pending changes included", () => {
    const l = live();
    const shown = snapshot([home()], { revision: 2, pending: [{ target: 'G-office', state: 'playing', volume: null, muted: null }] });
    shown.live.households[0].groups[1].state = 'playing';
    l.apply(shown);
    expect(l.households[0].groups[1].state).toBe('playing');
    // The core takes a refused change back in its next state; the window adds nothing.
    l.apply(snapshot([home()], { revision: 3 }));
    expect(l.households[0].groups[1].state).toBe('paused');
  });

  it("sends every action to the core and says why when it is refused", async () => {
    const l = live();
    const office = l.households[0].groups[1];
    expect(await l.toggle(office)).toBeNull();
    expect(sent).toEqual([{ kind: 'toggle', group: 'G-office' }]);
    expect(l.toasts.list.map((t) => t.message)).toEqual(['Sonos refused play/pause (503)']);
    expect(await l.muteGroup(office, true)).toEqual({ group: null });
    expect(await l.stepGroupVolume(office, -2)).toEqual({ group: null });
    expect(sent.slice(1)).toEqual([
      { kind: 'setGroupMute', group: 'G-office', muted: true },
      { kind: 'adjustGroupVolume', group: 'G-office', delta: -2 },
    ]);
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
    // A selected group that is gone, and that the core did not find again, gives way to the playing one.
    const regrouped = snapshot([home()], { revision: 3 });
    regrouped.live.households[0].groups.splice(1, 1);
    l.apply(regrouped);
    expect(l.group?.name).toBe('Living Room + 1');
  });

  it('follows the shown group through a regroup elsewhere, to the group the core found again', () => {
    const l = live();
    l.select(l.households[0].groups[1]);
    const regrouped = snapshot([home()], { revision: 2, focus: 'G-office-9' });
    const groups = regrouped.live.households[0].groups;
    groups[1] = { ...groups[1], id: 'G-office-9', name: 'Office + 1', rooms: [...groups[1].rooms, ...groups[3].rooms] };
    groups.splice(3, 1);
    l.apply(regrouped);
    expect(l.group?.id).toBe('G-office-9');
  });

  it('after its own regroup, selects the group the core says the rooms make', async () => {
    const l = live();
    l.select(l.households[0].groups[1]);
    expect(await l.regroup(l.households[0].groups[1], ['P-office', 'P-patio'])).toBe(true);
    expect(sent).toEqual([{ kind: 'setGroupMembers', group: 'G-office', rooms: ['P-office', 'P-patio'] }]);
    expect(l.selectedGroup).toBe('G-office-2');
  });

  it('says it is offline only when the core says Sonos cannot be reached', () => {
    const l = live();
    expect(l.offline).toBe(false);
    l.apply(snapshot([home()], { revision: 2, sync: { state: 'failed', kind: 'notFound', offline: false, message: 'x' } }));
    expect(l.offline).toBe(false);
    l.apply(snapshot([home()], { revision: 3, sync: { state: 'failed', kind: 'network', offline: true, message: 'x' } }));
    expect(l.offline).toBe(true);
  });

  it('a cancelled sign-in is not explained; another failure is, by its kind', async () => {
    const l = live();
    signIn = () => {
      throw { kind: 'cancelled', message: 'the sign-in was cancelled' };
    };
    await l.signIn();
    expect(l.signInError).toBeNull();
    signIn = () => {
      throw { kind: 'network', message: 'could not reach the relay' };
    };
    await l.signIn();
    expect(l.signInError?.kind).toBe('network');
    signIn = () => null;
  });
});

describe('throttled volume', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends a few values while dragging, the last one always', async () => {
    const l = live();
    const office = l.households[0].groups[1];
    for (let v = 20; v <= 60; v++) {
      l.setGroupVolume(office, v);
      expect(l.sliding['G-office']).toBe(v);
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(1000);
    // The last value answered: the core's state shows again.
    expect(l.sliding).toEqual({});
    const volumes = sent.filter((a) => a.kind === 'setGroupVolume').map((a) => (a as { volume: number }).volume);
    expect(volumes[0]).toBe(20);
    expect(volumes.at(-1)).toBe(60);
    expect(volumes.length).toBeLessThanOrEqual(3);
  });

  it('each slider has its own throttle', async () => {
    const l = live();
    const [living] = l.households[0].groups;
    l.setRoomVolume(living.rooms[0], 30);
    l.setRoomVolume(living.rooms[1], 31);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent).toEqual([
      { kind: 'setRoomVolume', room: 'P-living', volume: 30 },
      { kind: 'setRoomVolume', room: 'P-kitchen', volume: 31 },
    ]);
  });
});

describe('position and clock', () => {
  it('moves the position on while playing, from when Sonos said it, never past the end', () => {
    const g = group('G', 'G', [room('P', 'P')], { state: 'playing', position: { millis: 60_000, readAt: 1_000_000 } });
    expect(positionAt(g, 1_000_000)).toBe(60_000);
    expect(positionAt(g, 1_001_500)).toBe(61_500);
    expect(positionAt(g, 9_000_000)).toBe(245_000);
    expect(positionAt({ ...g, state: 'paused' }, 1_001_500)).toBe(60_000);
    expect(positionAt({ ...g, position: null }, 1_001_500)).toBeNull();
  });

  it('writes track times as people read them', () => {
    expect(clock(0)).toBe('0:00');
    expect(clock(245_000)).toBe('4:05');
    expect(clock(3_723_000)).toBe('1:02:03');
    expect(clock(null)).toBe('–:––');
  });
});
