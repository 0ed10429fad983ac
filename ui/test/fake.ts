// A stand-in for the app's core behind Tauri's IPC mocks: it answers the generated commands
// from an in-memory snapshot, sends `state-changed` like the app does, and fails the
// commands a test names. For UI tests only; the real core is tested in Rust and end to end.
import { emit } from '@tauri-apps/api/event';
import type { AppError, Group, Settings, SettingsView, Snapshot } from '../src/bindings';
import { library } from './fixtures';

export interface Call {
  cmd: string;
  args: Record<string, unknown>;
}

export class FakeCore {
  calls: Call[] = [];
  /** Commands that fail, with the error they answer. */
  failing: Record<string, AppError> = {};
  /** Commands that wait until `release()` (to see a state while they are under way). */
  held = new Set<string>();
  #waiting: (() => void)[] = [];
  theater: Record<string, { nightMode: boolean; enhanceDialog: boolean }> = {};
  settings: SettingsView = {
    settings: { closeToTray: true, trayVolumeStep: 2, hotkeys: { enabled: false, playPause: 'CommandOrControl+Alt+P', next: 'CommandOrControl+Alt+Right', previous: 'CommandOrControl+Alt+Left', volumeUp: 'CommandOrControl+Alt+Up', volumeDown: 'CommandOrControl+Alt+Down', mute: 'CommandOrControl+Alt+M' } },
    clientSecretSaved: false,
    problems: [],
    restartNeeded: false,
    file: '/home/me/.config/com.roomtone.desktop/settings.json',
  };

  /** What `app_painted` answers: whether the benchmarks' marks are on. */
  marks = false;

  constructor(public snapshot: Snapshot) {}

  release() {
    this.#waiting.splice(0).forEach((go) => go());
  }

  async publish(change: (s: Snapshot) => void) {
    const next = structuredClone(this.snapshot);
    change(next);
    next.live.revision += 1;
    this.snapshot = next;
    await emit('state-changed', next);
  }

  #group(id: unknown): Group {
    const g = this.snapshot.live.households.flatMap((h) => h.groups).find((g) => g.id === id);
    if (!g) throw { kind: 'notFound', message: `no group ${String(id)}` };
    return g;
  }

  async handle(cmd: string, args: Record<string, unknown> = {}): Promise<unknown> {
    this.calls.push({ cmd, args });
    if (this.held.has(cmd)) await new Promise<void>((go) => this.#waiting.push(go));
    if (this.failing[cmd]) throw this.failing[cmd];
    const edit = (f: (g: Group) => void) => this.publish((s) => f(s.live.households.flatMap((h) => h.groups).find((g) => g.id === args.group)!));
    switch (cmd) {
      case 'household_snapshot':
        return this.snapshot;
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
      case 'playback_toggle':
        this.#group(args.group);
        return edit((g) => (g.state = g.state === 'playing' || g.state === 'buffering' ? 'paused' : 'playing'));
      case 'playback_next':
      case 'playback_previous':
        return null;
      case 'playback_seek':
        return edit((g) => (g.positionMillis = Number(args.positionMillis)));
      case 'playback_set_mode':
        return edit((g) => (g.modes[args.mode as keyof Group['modes']] = Boolean(args.on)));
      case 'volume_set_group':
        return edit((g) => (g.volume.volume = Number(args.volume)));
      case 'volume_mute_group':
        return edit((g) => (g.volume.muted = Boolean(args.muted)));
      case 'volume_set_room':
      case 'volume_mute_room':
        return this.publish((s) => {
          const r = s.live.households.flatMap((h) => h.groups).flatMap((g) => g.rooms).find((r) => r.id === args.room)!;
          if (cmd === 'volume_set_room') r.volume.volume = Number(args.volume);
          else r.volume.muted = Boolean(args.muted);
        });
      case 'grouping_set_members':
        return this.publish((s) => {
          const h = s.live.households.find((h) => h.groups.some((g) => g.id === args.group))!;
          const rooms = args.rooms as string[];
          const target = h.groups.find((g) => g.id === args.group)!;
          const moving = h.groups.flatMap((g) => g.rooms).filter((r) => rooms.includes(r.id));
          h.groups = h.groups
            .map((g) => (g.id === target.id ? { ...g, id: `${g.id}+`, rooms: moving, name: moving.length > 1 ? `${moving[0].name} + ${moving.length - 1}` : moving[0].name } : { ...g, rooms: g.rooms.filter((r) => !rooms.includes(r.id)) }))
            .filter((g) => g.rooms.length > 0);
        });
      case 'playback_line_in':
      case 'playback_tv':
        return null;
      case 'volume_theater_options':
        return this.theater[String(args.room)] ?? { nightMode: false, enhanceDialog: false };
      case 'volume_set_theater_options':
        this.theater[String(args.room)] = args.options as { nightMode: boolean; enhanceDialog: boolean };
        return this.theater[String(args.room)];
      case 'library_get':
        return library(String(args.household));
      case 'library_play_favorite':
      case 'library_play_playlist':
        return null;
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
        this.settings = {
          ...this.settings,
          settings: next,
          restartNeeded: this.settings.restartNeeded || connection(next) !== connection(this.settings.settings),
          problems: next.hotkeys?.enabled && next.hotkeys.mute === 'Ctrl+Alt+M' ? ['The mute shortcut Ctrl+Alt+M could not be registered (HotKey already registered). Another app may use it; choose another shortcut.'] : [],
        };
        return this.settings;
      }
      case 'settings_set_client_secret':
        this.settings = { ...this.settings, clientSecretSaved: String(args.secret).trim() !== '', restartNeeded: true };
        return this.settings;
      default:
        throw { kind: 'other', message: `the fake core has no ${cmd}` };
    }
  }
}
