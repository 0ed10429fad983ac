// A stand-in for the app's core behind Tauri's IPC mocks: it answers the generated commands
// from an in-memory snapshot, sends `state-changed` like the app does (numbered changes; here
// each field of the live state that changed, set whole), and fails the
// commands a test names. For UI tests only; the real core is tested in Rust and end to end.
import { emit } from '@tauri-apps/api/event';
import type { Action, AppError, Done, Op, RoomSettings, Settings, SettingsView, Snapshot, UpdateState } from '../src/bindings';
import { library, playlist } from './fixtures';

export interface Call {
  cmd: string;
  args: Record<string, unknown>;
}

export class FakeCore {
  calls: Call[] = [];
  /** Commands (or actions, by kind) that fail, with the error they answer. */
  failing: Record<string, AppError> = {};
  /** Commands (or actions, by kind) that wait until `release()` (to see a state while they are under way). */
  held = new Set<string>();
  #waiting: (() => void)[] = [];
  theater: Record<string, { nightMode: boolean; enhanceDialog: boolean }> = {};
  /** Each room's player settings once changed; before, as its volume says (fixed or not). */
  roomSettings: Record<string, RoomSettings> = {};
  settings: SettingsView = {
    settings: {
      relayUrl: null,
      clientId: null,
      redirectUri: null,
      closeToTray: true,
      startHidden: false,
      startAtLogin: false,
      notifyTrackChange: false,
      checkUpdates: true,
      trayVolumeStep: 2,
      trayGroup: null,
      hotkeys: {
        enabled: false,
        playPause: 'CommandOrControl+Alt+P',
        next: 'CommandOrControl+Alt+Right',
        previous: 'CommandOrControl+Alt+Left',
        volumeUp: 'CommandOrControl+Alt+Up',
        volumeDown: 'CommandOrControl+Alt+Down',
        mute: 'CommandOrControl+Alt+M',
      },
      recentStreams: [
        { url: 'https://radio.example/harbour.mp3', name: 'Harbour FM' },
        { url: 'http://stream.example:8000/jazz', name: null },
      ],
    },
    clientSecretSaved: false,
    problems: [],
    hotkeysVia: null,
    hotkeysPending: false,
    restartNeeded: false,
    version: '0.1.0',
    file: '/home/me/.config/com.roomtone.desktop/settings.json',
  };

  /** The hotkeys go through a Wayland desktop's portal: new ones stay pending until
   * `answerHotkeys`. */
  portal = false;

  #clips = 0;

  /** What `app_painted` answers: whether the benchmarks' marks are on. */
  marks = false;

  constructor(public snapshot: Snapshot) {}

  #roomSettings(room: string): RoomSettings {
    const fixed = this.snapshot.live.households.flatMap((h) => h.groups).flatMap((g) => g.rooms).find((r) => r.id === room)?.volume.fixed;
    return this.roomSettings[room] ?? { volumeLimit: 100, volumeMode: fixed ? 'fixed' : 'variable', mono: room === 'P-kitchen' };
  }

  /** What Roomtone's own updates are doing (`updates_get`); `setUpdate` changes it. */
  update: UpdateState = { state: 'upToDate', version: '0.1.0' };
  /** What `updates_install` ends in: the installed version, or this failure. */
  installFails: string | null = null;

  async setUpdate(update: UpdateState) {
    this.update = update;
    await emit('update-changed', update);
  }

  /** The desktop's portal answers for the hotkeys saved last. */
  async answerHotkeys(via: string | null, problems: string[]) {
    this.settings = { ...this.settings, hotkeysVia: via, hotkeysPending: false, problems };
    await emit('hotkeys-changed', null);
  }

  release() {
    this.#waiting.splice(0).forEach((go) => go());
  }

  /** The number of the snapshot last published. */
  seq = 0;

  async publish(change: (s: Snapshot) => void) {
    const next = structuredClone(this.snapshot);
    change(next);
    next.live.revision += 1;
    const before = this.snapshot as unknown as Record<string, Record<string, unknown>>;
    const after = next as unknown as Record<string, Record<string, unknown>>;
    const differs = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);
    const ops: Op[] = [
      ...(['demo', 'notices'] as const).filter((k) => differs(before[k], after[k])).map((k): Op => ({ op: 'set', path: [k], value: after[k] })),
      ...Object.keys(after.live)
        .filter((k) => differs(before.live[k], after.live[k]))
        .map((k): Op => ({ op: 'set', path: ['live', k], value: after.live[k] })),
    ];
    this.snapshot = next;
    this.seq += 1;
    await emit('state-changed', { base: this.seq - 1, seq: this.seq, ops });
  }

  /** An action, as the core does it: what it changes shows at once (pending); Sonos's
   * answer settles it, or a refusal takes it back. Recorded by its kind. */
  async #perform(action: Action): Promise<Done> {
    const { kind, ...args } = action;
    this.calls.push({ cmd: kind, args });
    const groups = (s: Snapshot) => s.live.households.flatMap((h) => h.groups);
    const rooms = (s: Snapshot) => groups(s).flatMap((g) => g.rooms);
    const group = (s: Snapshot) => groups(s).find((g) => g.id === (args as { group?: string }).group);
    const room = (s: Snapshot) => rooms(s).find((r) => r.id === (args as { room?: string }).room);
    if ('group' in args && !group(this.snapshot)) throw { kind: 'notFound', message: `no group ${String(args.group)}` };
    const before = structuredClone(this.snapshot.live);
    const shown = (s: Snapshot) => {
      const g = group(s);
      switch (action.kind) {
        case 'toggle':
          g!.state = g!.state === 'playing' || g!.state === 'buffering' ? 'paused' : 'playing';
          break;
        case 'setGroupVolume':
          g!.volume.volume = action.volume;
          break;
        case 'adjustGroupVolume':
          g!.volume.volume = Math.min(100, Math.max(0, g!.volume.volume + action.delta));
          break;
        case 'setGroupMute':
          g!.volume.muted = action.muted;
          break;
        case 'setRoomVolume':
          room(s)!.volume.volume = action.volume;
          break;
        case 'setRoomMute':
          room(s)!.volume.muted = action.muted;
          break;
        default:
          return false;
      }
      return true;
    };
    const pending = structuredClone(this.snapshot);
    if (shown(pending)) await this.publish((s) => void shown(s));
    if (this.held.has(kind)) await new Promise<void>((go) => this.#waiting.push(go));
    if (this.failing[kind]) {
      await this.publish((s) => {
        s.live.households = before.households;
      });
      throw this.failing[kind];
    }
    switch (action.kind) {
      case 'seek':
        await this.publish((s) => (group(s)!.position = { millis: action.positionMillis, readAt: Date.now() }));
        break;
      case 'setPlayMode':
        await this.publish((s) => (group(s)!.modes[action.mode] = action.on));
        break;
      case 'setTheaterOptions':
        this.theater[action.room] = action.options;
        break;
      case 'setVolumeLimit':
        this.roomSettings[action.room] = { ...this.#roomSettings(action.room), volumeLimit: Math.min(100, Math.max(1, action.percent)) };
        break;
      case 'setGroupMembers': {
        let made = '';
        await this.publish((s) => {
          const h = s.live.households.find((h) => h.groups.some((g) => g.id === action.group))!;
          const chosen = action.rooms;
          const target = h.groups.find((g) => g.id === action.group)!;
          const moving = h.groups.flatMap((g) => g.rooms).filter((r) => chosen.includes(r.id));
          made = `${target.id}+`;
          h.groups = h.groups
            .map((g) => (g.id === target.id ? { ...g, id: made, rooms: moving, name: moving.length > 1 ? `${moving[0].name} + ${moving.length - 1}` : moving[0].name } : { ...g, rooms: g.rooms.filter((r) => !chosen.includes(r.id)) }))
            .filter((g) => g.rooms.length > 0);
          s.live.focus = made;
        });
        return { group: made, chime: null };
      }
      case 'pauseAll':
        await this.publish((s) =>
          s.live.households
            .filter((h) => h.id === action.household)
            .flatMap((h) => h.groups)
            .filter((g) => g.state === 'playing' || g.state === 'buffering')
            .forEach((g) => (g.state = 'paused')),
        );
        break;
      case 'sleep': {
        const g = group(this.snapshot)!;
        const after = action.after;
        if (after.kind === 'endOfTrack' && (g.nowPlaying?.durationMillis == null || g.position == null)) {
          throw { kind: 'invalid', message: `${g.name} plays nothing with an end Roomtone knows (a live stream, or no track): choose a number of minutes instead` };
        }
        const timer =
          after.kind === 'off'
            ? null
            : after.kind === 'minutes'
              ? { group: g.id, endsAt: Date.now() + after.minutes * 60_000, endOfTrack: false, minutesLeft: after.minutes, fading: false, left: `${after.minutes} min left` }
              : { group: g.id, endsAt: Date.now() + (g.nowPlaying!.durationMillis! - g.position!.millis), endOfTrack: true, minutesLeft: 1, fading: false, left: 'at the end of this track' };
        await this.publish((s) => (s.live.sleep = [...s.live.sleep.filter((t) => t.group !== g.id), ...(timer ? [timer] : [])]));
        break;
      }
      case 'chime': {
        const r = room(this.snapshot)!;
        if (!r.canChime) throw { kind: 'invalid', message: `${r.name} cannot ring a chime: Sonos plays chimes only on speakers that take audio clips` };
        const chime = { room: r.id, id: `C${++this.#clips}`, status: 'ringing' as const, followed: true, problem: null };
        await this.publish((s) => (s.live.chimes = [...s.live.chimes.filter((c) => c.room !== r.id), chime]));
        return { group: null, chime };
      }
      default:
        break;
    }
    return { group: 'group' in args ? String(args.group) : null, chime: null };
  }

  async handle(cmd: string, args: Record<string, unknown> = {}): Promise<unknown> {
    if (cmd === 'control_perform') return this.#perform(args.action as Action);
    this.calls.push({ cmd, args });
    if (this.held.has(cmd)) await new Promise<void>((go) => this.#waiting.push(go));
    if (this.failing[cmd]) throw this.failing[cmd];
    switch (cmd) {
      case 'household_snapshot':
        return { seq: this.seq, snapshot: this.snapshot };
      case 'household_refresh':
        return this.publish((s) => (s.live.sync = { state: 'ready' }));
      case 'session_sign_in':
        await this.publish((s) => (s.live.signingIn = true));
        return null;
      case 'session_cancel_sign_in':
        await this.publish((s) => (s.live.signingIn = false));
        return null;
      case 'session_open_browser_again':
      case 'session_keep_for_this_run':
        return null;
      case 'session_sign_out':
        return this.publish((s) => {
          s.live.session = { state: 'signedOut', persistent: false, reason: null };
          s.live.households = [];
        });
      case 'volume_theater_options':
        return this.theater[String(args.room)] ?? { nightMode: false, enhanceDialog: false };
      case 'volume_room_settings':
        return this.#roomSettings(String(args.room));
      case 'library_recent_streams':
        return this.settings.settings.recentStreams;
      case 'library_forget_stream':
        this.settings.settings.recentStreams = this.settings.settings.recentStreams.filter((r) => r.url !== args.url);
        return this.settings.settings.recentStreams;
      case 'library_play_stream': {
        const url = String(args.url);
        const name = (args.name as string | null) ?? null;
        if (!/^https?:\/\/[^/]+/.test(url)) throw { kind: 'invalid', message: `“${url}” is not a URL (relative URL without a base)` };
        await this.publish((s) => {
          const g = s.live.households.flatMap((h) => h.groups).find((g) => g.id === args.group)!;
          g.state = 'playing';
          g.position = null;
          g.nowPlaying = { title: name ?? new URL(url).host, artist: null, album: null, container: null, service: 'Stream', artUrl: null, durationMillis: null };
        });
        const list = this.settings.settings.recentStreams.filter((r) => r.url !== url);
        this.settings.settings.recentStreams = [{ url, name }, ...list].slice(0, 8);
        return this.settings.settings.recentStreams;
      }
      case 'library_get':
        return library(String(args.household));
      case 'library_playlist': {
        const found = playlist(String(args.household), String(args.playlist));
        if (!found) throw { kind: 'sonos', message: 'Sonos answered 400 ERROR_INVALID_OBJECT_ID: no such playlist' };
        return found;
      }
      case 'app_painted':
        return this.marks;
      case 'app_mark':
      case 'app_restart':
      case 'view_focus':
      case 'view_unsaved':
        return null;
      case 'settings_get':
        return this.settings;
      case 'settings_set': {
        const next = args.settings as Settings;
        if ((next.trayVolumeStep ?? 2) > 20) throw { kind: 'settings', message: `the volume step is between 1 and 20, not ${next.trayVolumeStep}` };
        const connection = (s: Settings) => JSON.stringify([s.relayUrl ?? null, s.clientId ?? null, s.redirectUri ?? null]);
        const on = next.hotkeys?.enabled ?? false;
        // As the app does: the hotkeys are put in force again only when they changed.
        if (JSON.stringify(next.hotkeys) === JSON.stringify(this.settings.settings.hotkeys)) {
          this.settings = { ...this.settings, settings: next };
          return this.settings;
        }
        this.settings = {
          ...this.settings,
          settings: next,
          restartNeeded: this.settings.restartNeeded || connection(next) !== connection(this.settings.settings),
          problems:
            on && !this.portal && next.hotkeys.mute === 'Ctrl+Alt+M'
              ? ['The mute shortcut Ctrl+Alt+M could not be registered (HotKey already registered). Another app may use it; choose another shortcut.']
              : [],
          hotkeysVia: on && !this.portal ? "Through the X server's key grab: the shortcuts work whichever app is in front." : null,
          hotkeysPending: on && this.portal,
        };
        return this.settings;
      }
      case 'updates_get':
        return this.update;
      case 'updates_check':
        return null;
      case 'updates_install': {
        const u = this.update;
        if (u.state !== 'available' && u.state !== 'failed') throw { kind: 'invalid', message: 'There is no update to install: check for updates first.' };
        const offer = u.state === 'available' ? u.offer : u.offer!;
        if (this.installFails) {
          await this.setUpdate({ state: 'failed', message: this.installFails, offer, byHand: null });
          throw { kind: 'invalid', message: this.installFails };
        }
        await this.setUpdate({ state: 'installed', version: offer.version });
        return null;
      }
      case 'settings_set_client_secret':
        this.settings = { ...this.settings, clientSecretSaved: String(args.secret).trim() !== '', restartNeeded: true };
        return this.settings;
      default:
        throw { kind: 'other', message: `the fake core has no ${cmd}` };
    }
  }
}
