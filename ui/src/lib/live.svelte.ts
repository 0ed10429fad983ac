// The household the window shows, fed by the core: a snapshot on connect, then every change.
// A snapshot carries a revision; an older one (a late answer) never replaces a newer one.
// Actions change what is shown at once (optimistically) and the core's answer settles it:
// a failed action drops its change, so the state falls back to what Sonos said, and says why.
import { commands, events, type AppError, type Group, type Household, type PlayState, type Room, type Snapshot } from '../bindings';
import { throttle } from './throttle';
import { Toasts } from './toasts.svelte';

export { sentence } from './toasts.svelte';

const starting: Snapshot = {
  demo: false,
  notices: [],
  live: {
    revision: 0,
    session: { state: 'starting', persistent: false, reason: null },
    households: [],
    sync: { state: 'idle' },
    signingIn: false,
    libraryChanges: 0,
  },
};

export type Result<T = null> = { status: 'ok'; data: T } | { status: 'error'; error: AppError };

/** What an action changes before Sonos answers, per group or room ID. */
export interface Change {
  volume?: number;
  muted?: boolean;
  state?: PlayState;
}

/** The group volume slider sends at most this often while dragged (ms). */
export const VOLUME_INTERVAL = 250;

export class Live {
  snapshot = $state<Snapshot>(starting);
  /** When the snapshot arrived (performance.now()), to move the progress bar between updates. */
  receivedAt = $state(0);
  /** The last failure of a sign-in, in words, with its kind. */
  signInError = $state<AppError | null>(null);
  /** Changes made here that Sonos has not confirmed yet. */
  changes = $state<Record<string, Change>>({});
  selectedHousehold = $state<string | null>(null);
  selectedGroup = $state<string | null>(null);
  readonly toasts: Toasts;
  #inFlight = new Map<string, number>();
  /** A room whose new group to select once it shows (after a regroup). */
  #following: string | null = null;
  #volumeSenders = new Map<string, (volume: number) => void>();

  constructor(toasts = new Toasts()) {
    this.toasts = toasts;
  }

  get session() {
    return this.snapshot.live.session;
  }

  get sync() {
    return this.snapshot.live.sync;
  }

  /** The households as shown: what Sonos said, with the changes not yet answered. */
  households: Household[] = $derived(
    this.snapshot.live.households.map((h) => ({ ...h, groups: h.groups.map((g) => this.#withChanges(g)) })),
  );

  household: Household | null = $derived(this.households.find((h) => h.id === this.selectedHousehold) ?? this.households[0] ?? null);

  group: Group | null = $derived.by(() => {
    const groups = this.household?.groups ?? [];
    return groups.find((g) => g.id === this.selectedGroup) ?? groups.find(playing) ?? groups[0] ?? null;
  });

  /** Every room of the selected household, for grouping. */
  rooms: Room[] = $derived((this.household?.groups ?? []).flatMap((g) => g.rooms).sort((a, b) => a.name.localeCompare(b.name)));

  /** Sonos cannot be reached: the state shown is older. */
  get offline(): boolean {
    const sync = this.sync;
    return sync.state === 'failed' && ['network', 'sonos', 'rateLimited'].includes(sync.kind);
  }

  #withChanges(g: Group): Group {
    const change = this.changes[g.id];
    const rooms = g.rooms.map((r) => {
      const c = this.changes[r.id];
      return c ? { ...r, volume: { ...r.volume, ...pick(c) } } : r;
    });
    if (!change) return { ...g, rooms };
    return { ...g, rooms, state: change.state ?? g.state, volume: { ...g.volume, ...pick(change) } };
  }

  apply(next: Snapshot) {
    if (next.live.revision < this.snapshot.live.revision) return;
    this.snapshot = next;
    this.receivedAt = performance.now();
    this.#pin();
  }

  /** The selection stays where it is (pausing a group must not move it to another); a group
   * that is gone (regrouped) gives way to the playing one, else the first. */
  #pin() {
    const groups = this.household?.groups ?? [];
    const following = this.#following;
    const followed = following ? groups.find((g) => g.rooms.some((r) => r.id === following)) : undefined;
    if (followed && followed.id !== this.selectedGroup) {
      this.selectedGroup = followed.id;
      this.#following = null;
      return;
    }
    if (groups.some((g) => g.id === this.selectedGroup)) return;
    this.selectedGroup = (groups.find(playing) ?? groups[0])?.id ?? null;
  }

  /** Listens first, then asks: no change can fall between the two. */
  async connect(): Promise<() => void> {
    const stops = await Promise.all([
      events.stateChanged.listen((e) => this.apply(e.payload)),
      events.problem.listen((e) => this.toasts.say(e.payload.message)),
    ]);
    this.apply(await commands.householdSnapshot());
    return () => stops.forEach((stop) => stop());
  }

  /** Runs a command; a failure is said in a toast. */
  async run<T>(action: () => Promise<Result<T>>): Promise<boolean> {
    const result = await action();
    if (result.status === 'error') this.toasts.say(result.error.message);
    return result.status === 'ok';
  }

  /** Shows `change` on `id` until `action` is answered; a failure takes it back and says why. */
  async change(id: string, change: Change, action: () => Promise<Result>): Promise<boolean> {
    this.changes = { ...this.changes, [id]: { ...this.changes[id], ...change } };
    this.#inFlight.set(id, (this.#inFlight.get(id) ?? 0) + 1);
    try {
      return await this.run(action);
    } finally {
      const left = (this.#inFlight.get(id) ?? 1) - 1;
      this.#inFlight.set(id, left);
      // Settled — unless a newer value was shown meanwhile (a slider still moving): that one
      // stays until its own request is answered.
      const current = this.changes[id] ?? {};
      const newer = (Object.keys(change) as (keyof Change)[]).some((k) => current[k] !== change[k]);
      if (left === 0 && !newer) {
        const { [id]: _settled, ...rest } = this.changes;
        this.changes = rest;
      }
    }
  }

  select(group: Group) {
    this.selectedGroup = group.id;
  }

  selectHousehold(id: string) {
    this.selectedHousehold = id;
    this.selectedGroup = null;
    this.#pin();
  }

  async signIn() {
    this.signInError = null;
    const result = await commands.sessionSignIn();
    // Cancelling is not a failure to explain.
    if (result.status === 'error' && !result.error.message.includes('was cancelled')) this.signInError = result.error;
  }

  cancelSignIn = () => this.run(commands.sessionCancelSignIn);
  openBrowserAgain = () => this.run(commands.sessionOpenBrowserAgain);

  async keepForThisRun() {
    if (await this.run(commands.sessionKeepForThisRun)) this.signInError = null;
  }

  signOut = () => this.run(commands.sessionSignOut);
  refresh = () => this.run(commands.householdRefresh);

  toggle(g: Group) {
    const next: PlayState = playing(g) ? 'paused' : 'playing';
    return this.change(g.id, { state: next }, () => commands.playbackToggle(g.id));
  }

  next = (g: Group) => this.run(() => commands.playbackNext(g.id));
  previous = (g: Group) => this.run(() => commands.playbackPrevious(g.id));
  seek = (g: Group, millis: number) => this.run(() => commands.playbackSeek(g.id, Math.max(0, Math.round(millis))));
  setMode = (g: Group, mode: 'repeat' | 'repeatOne' | 'shuffle' | 'crossfade', on: boolean) =>
    this.run(() => commands.playbackSetMode(g.id, mode, on));

  /** The group's volume as the slider moves: shown at once, sent a few times a second, the last value always. */
  setGroupVolume(g: Group, volume: number) {
    this.#slide(g.id, volume, (v) => commands.volumeSetGroup(g.id, v));
  }

  /** A volume slider for `id` moved: shown at once, sent through one throttle per slider. */
  #slide(id: string, volume: number, set: (volume: number) => Promise<Result>) {
    this.changes = { ...this.changes, [id]: { ...this.changes[id], volume } };
    let send = this.#volumeSenders.get(id);
    if (!send) {
      send = throttle((v: number) => void this.change(id, { volume: v }, () => set(v)), VOLUME_INTERVAL);
      this.#volumeSenders.set(id, send);
    }
    send(volume);
  }

  stepGroupVolume(g: Group, delta: number) {
    if (g.volume.fixed) return;
    const volume = Math.min(100, Math.max(0, g.volume.volume + delta));
    return this.change(g.id, { volume }, () => commands.volumeSetGroup(g.id, volume));
  }

  muteGroup = (g: Group, muted: boolean) => this.change(g.id, { muted }, () => commands.volumeMuteGroup(g.id, muted));

  setRoomVolume(r: Room, volume: number) {
    this.#slide(r.id, volume, (v) => commands.volumeSetRoom(r.id, v));
  }

  muteRoom = (r: Room, muted: boolean) => this.change(r.id, { muted }, () => commands.volumeMuteRoom(r.id, muted));

  /** Makes the selected group exactly `rooms`; the new grouping is read back from Sonos. */
  async regroup(g: Group, rooms: string[]) {
    const ok = await this.run(() => commands.groupingSetMembers(g.id, rooms));
    if (ok) this.#follow(rooms);
    return ok;
  }

  async newGroup(household: string, rooms: string[]) {
    const ok = await this.run(() => commands.groupingCreate(household, rooms));
    if (ok) this.#follow(rooms);
    return ok;
  }

  /** After a regroup the group's ID changes: select the group that holds these rooms once
   * Sonos's new grouping arrives (the answer may come before or after the new state). */
  #follow(rooms: string[]) {
    this.#following = rooms[0] ?? null;
    this.#pin();
  }

}

function pick(c: Change) {
  const out: { volume?: number; muted?: boolean } = {};
  if (c.volume !== undefined) out.volume = c.volume;
  if (c.muted !== undefined) out.muted = c.muted;
  return out;
}

export const playing = (g: Group) => g.state === 'playing' || g.state === 'buffering';

export function nowPlaying(g: Group): string {
  const now = g.nowPlaying;
  if (!now) return 'Nothing playing';
  return now.artist ? `${now.title} — ${now.artist}` : now.title;
}

/** Artwork a webview may load: https, or this computer over http, which the window's CSP narrows to the simulator Roomtone runs or was pointed at (no other local port). LAN addresses are not reachable from the cloud's view of a household, and are not loaded. */
export function artwork(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    if (u.protocol === 'https:' && !lan(u.hostname)) return url;
    if (u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost')) return url;
  } catch {
    return null;
  }
  return null;
}

function lan(host: string): boolean {
  return /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.)/.test(host) || host.endsWith('.local');
}

export function clock(millis: number | null | undefined): string {
  if (millis == null || millis < 0) return '–:––';
  const s = Math.floor(millis / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
