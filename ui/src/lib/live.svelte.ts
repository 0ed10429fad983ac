// The household the window shows, fed by the core: a numbered snapshot on connect, then each
// change as what differs from the one numbered before it (applied in place: only what shows
// a changed value updates). A number missing asks for the whole snapshot again.
// Every action is the core's (`controlPerform`): the core shows what it changes at once, as
// pending, in the snapshot the tray and the media session show too, and takes it back when
// Sonos refuses; the window says why.
import { commands, events, type Action, type AppError, type Done, type FavoriteId, type Group, type GroupId, type Household, type HouseholdId, type LoadAction, type PlayerId, type PlaylistId, type PlayMode, type Room, type SleepAfter, type Snapshot, type Numbered, type StateChanged } from '../bindings';
import { applyOps } from './patch';
import { throttle } from './throttle';

/** What a volume slider moves: a group's `GroupId` or a room's `PlayerId` (both strings on
 * the wire, and never the same). */
export type SliderId = string;
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
    pending: [],
    refused: null,
    chimes: [],
    sleep: [],
    focus: null,
    chosen: null,
    controlled: null,
  },
};

export type Result<T = null> = { status: 'ok'; data: T } | { status: 'error'; error: AppError };

/** The group volume slider sends at most this often while dragged (ms). */
export const VOLUME_INTERVAL = 250;

export class Live {
  snapshot = $state<Snapshot>(starting);
  /** The last failure of a sign-in, in words, with its kind. */
  signInError = $state<AppError | null>(null);
  selectedHousehold = $state<HouseholdId | null>(null);
  selectedGroup = $state<GroupId | null>(null);
  /** The value under the finger of each volume slider (by group or room ID), until the core
   * has answered the last value sent: input, not state; the core's pending change takes over. */
  sliding = $state<Record<SliderId, number>>({});
  readonly toasts: Toasts;
  /** The number of the snapshot shown: the next change is made from it. */
  #seq = -1;
  /** Asking for the whole snapshot; the changes that come meanwhile wait for its answer. */
  #asking = false;
  #early: StateChanged[] = [];
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- not state: one throttled sender per slider, which nothing renders or derives from
  #volumeSenders = new Map<SliderId, (volume: number) => void>();

  constructor(toasts = new Toasts()) {
    this.toasts = toasts;
  }

  get session() {
    return this.snapshot.live.session;
  }

  get sync() {
    return this.snapshot.live.sync;
  }

  /** The households as the core shows them: what Sonos said, with the pending changes. */
  households: Household[] = $derived(this.snapshot.live.households);

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
    return sync.state === 'failed' && sync.offline;
  }

  /** Shows a whole snapshot; an older one (by revision) never replaces a newer one. */
  apply(next: Snapshot) {
    if (next.live.revision < this.snapshot.live.revision) return;
    this.snapshot = next;
    this.#pin();
  }

  /** A numbered snapshot: the changes numbered from it follow. */
  show(numbered: Numbered) {
    this.#seq = numbered.seq;
    this.apply(numbered.snapshot);
  }

  /** A change from the core: applied in place when it follows the snapshot shown, dropped
   * when the snapshot has it already; a gap asks for the whole snapshot again. */
  change(change: StateChanged) {
    if (this.#asking) {
      this.#early.push(change);
      return;
    }
    if (change.seq <= this.#seq) return;
    if (change.base !== this.#seq) {
      void this.#again();
      return;
    }
    this.snapshot = applyOps(this.snapshot, change.ops);
    this.#seq = change.seq;
    this.#pin();
  }

  /** Asks the core for the whole snapshot, then applies the changes that came meanwhile. */
  async #again() {
    if (this.#asking) return;
    this.#asking = true;
    try {
      this.show(await commands.householdSnapshot());
    } finally {
      this.#asking = false;
    }
    for (const change of this.#early.splice(0)) this.change(change);
  }

  /** The selection stays where it is (pausing a group must not move it to another); a group
   * that is gone (regrouped) gives way to the one the core found again (`focus`), else the
   * playing one, else the first. */
  #pin() {
    const groups = this.household?.groups ?? [];
    if (groups.some((g) => g.id === this.selectedGroup)) return;
    const focus = this.snapshot.live.focus;
    const again = this.selectedGroup !== null && focus !== null ? groups.find((g) => g.id === focus) : undefined;
    this.selectedGroup = (again ?? groups.find(playing) ?? groups[0])?.id ?? null;
  }

  /** Listens first, then asks: no change can fall between the two. */
  async connect(): Promise<() => void> {
    const stops = await Promise.all([
      events.stateChanged.listen((e) => this.change(e.payload)),
      events.problem.listen((e) => this.toasts.say(e.payload.message)),
    ]);
    await this.#again();
    return () => stops.forEach((stop) => stop());
  }

  /** Runs a command; a failure is said in a toast. */
  async run<T>(action: () => Promise<Result<T>>): Promise<boolean> {
    const result = await action();
    if (result.status === 'error') this.toasts.say(result.error.message);
    return result.status === 'ok';
  }

  /** Asks the core to do `action`; a refusal is said in a toast. Answers where it was done
   * (the group, after a regroup), or null when it failed. */
  async perform(action: Action): Promise<Done | null> {
    const result = await commands.controlPerform(action);
    if (result.status === 'error') {
      this.toasts.say(result.error.message);
      return null;
    }
    return result.data;
  }

  select(group: Group) {
    this.selectedGroup = group.id;
  }

  selectHousehold(id: HouseholdId) {
    this.selectedHousehold = id;
    this.selectedGroup = null;
    this.#pin();
  }

  async signIn() {
    this.signInError = null;
    const result = await commands.sessionSignIn();
    // Cancelling is not a failure to explain.
    if (result.status === 'error' && result.error.kind !== 'cancelled') this.signInError = result.error;
  }

  cancelSignIn = () => this.run(commands.sessionCancelSignIn);
  openBrowserAgain = () => this.run(commands.sessionOpenBrowserAgain);

  async keepForThisRun() {
    if (await this.run(commands.sessionKeepForThisRun)) this.signInError = null;
  }

  signOut = () => this.run(commands.sessionSignOut);
  refresh = () => this.run(commands.householdRefresh);

  toggle = (g: Group) => this.perform({ kind: 'toggle', group: g.id });
  next = (g: Group) => this.perform({ kind: 'next', group: g.id });
  previous = (g: Group) => this.perform({ kind: 'previous', group: g.id });
  seek = (g: Group, millis: number) => this.perform({ kind: 'seek', group: g.id, positionMillis: Math.max(0, Math.round(millis)) });
  /** Back or forward by `deltaMillis` from where the track is now (the core works out where). */
  seekBy = (g: Group, deltaMillis: number) => this.perform({ kind: 'seekBy', group: g.id, deltaMillis });
  setMode = (g: Group, mode: PlayMode, on: boolean) => this.perform({ kind: 'setPlayMode', group: g.id, mode, on });

  /** The group's volume as the slider moves: sent a few times a second, the last value always. */
  setGroupVolume(g: Group, volume: number) {
    this.#slide(g.id, volume, (v) => ({ kind: 'setGroupVolume', group: g.id, volume: v }));
  }

  /** A volume slider for `id` moved: sent through one throttle per slider. */
  #slide(id: SliderId, volume: number, action: (volume: number) => Action) {
    this.sliding = { ...this.sliding, [id]: volume };
    let send = this.#volumeSenders.get(id);
    if (!send) {
      send = throttle((v: number) => {
        void this.perform(action(v)).then(() => {
          if (this.sliding[id] !== v) return;
          const { [id]: _answered, ...rest } = this.sliding;
          this.sliding = rest;
        });
      }, VOLUME_INTERVAL);
      this.#volumeSenders.set(id, send);
    }
    send(volume);
  }

  stepGroupVolume(g: Group, delta: number) {
    if (g.volume.fixed) return;
    return this.perform({ kind: 'adjustGroupVolume', group: g.id, delta });
  }

  muteGroup = (g: Group, muted: boolean) => this.perform({ kind: 'setGroupMute', group: g.id, muted });

  setRoomVolume(r: Room, volume: number) {
    this.#slide(r.id, volume, (v) => ({ kind: 'setRoomVolume', room: r.id, volume: v }));
  }

  muteRoom = (r: Room, muted: boolean) => this.perform({ kind: 'setRoomMute', room: r.id, muted });

  /** Makes the selected group exactly `rooms`, or a new group of them; the group they make
   * (a new ID) is selected. */
  regroup = (g: Group, rooms: PlayerId[]) => this.#group({ kind: 'setGroupMembers', group: g.id, rooms });
  newGroup = (household: HouseholdId, rooms: PlayerId[]) => this.#group({ kind: 'createGroup', household, rooms });

  async #group(action: Action): Promise<boolean> {
    const done = await this.perform(action);
    if (done?.group) this.selectedGroup = done.group;
    return done !== null;
  }

  /** Pauses every group of the household shown that plays. */
  pauseAll = () => (this.household ? this.perform({ kind: 'pauseAll', household: this.household.id }) : Promise.resolve(null));
  /** The last chime rung in `room`, as the core follows it. */
  chimeOf = (room: Room) => this.snapshot.live.chimes.find((c) => c.room === room.id) ?? null;
  chime = (room: Room) => this.perform({ kind: 'chime', room: room.id, url: null, volume: null });
  /** The sleep timer of `g`, as the core runs it (found again after a regroup). */
  sleepOf = (g: Group) => this.snapshot.live.sleep.find((t) => t.group === g.id) ?? null;
  sleep = (g: Group, after: SleepAfter) => this.perform({ kind: 'sleep', group: g.id, after });
  playLineIn = (g: Group, room: Room) => this.perform({ kind: 'playLineIn', group: g.id, room: room.id });
  playTv = (room: Room) => this.perform({ kind: 'playTv', room: room.id });
  setTvPower = (room: Room, on: boolean) => this.perform({ kind: 'setTvPower', room: room.id, on });
  playFavorite = (g: Group, favorite: FavoriteId, load: LoadAction) => this.perform({ kind: 'loadFavorite', group: g.id, favorite, load });
  playPlaylist = (g: Group, playlist: PlaylistId, load: LoadAction) => this.perform({ kind: 'loadPlaylist', group: g.id, playlist, load });
}

/** Where the track is at `now` (ms since the epoch): the core's `Group::position_at` for the
 * window's frame clock — the position Sonos reported, moved on by the time since while the
 * group plays, never past the track's end. */
export function positionAt(g: Group, now: number): number | null {
  const position = g.position;
  if (!position) return null;
  const moved = g.state === 'playing' ? Math.max(0, now - position.readAt) : 0;
  const at = position.millis + moved;
  const end = g.nowPlaying?.durationMillis;
  return end != null ? Math.min(end, at) : at;
}

/** The core's `sleep::ends_with_track`: a track of known length, with a position, has an end
 * to sleep at (a live stream has none). */
export const endsWithTrack = (g: Group) => g.nowPlaying?.durationMillis != null && g.position != null;

export const playing = (g: Group) => g.state === 'playing' || g.state === 'buffering';

export function nowPlaying(g: Group): string {
  const now = g.nowPlaying;
  if (!now) return 'Nothing playing';
  return now.artist ? `${now.title} — ${now.artist}` : now.title;
}

export function clock(millis: number | null | undefined): string {
  if (millis == null || millis < 0) return '–:––';
  const s = Math.floor(millis / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
