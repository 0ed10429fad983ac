// The UI with Tauri's IPC mocked: `?scenario=` picks the state the fake core starts in.
import { mockIPC } from '@tauri-apps/api/mocks';
import { FakeCore } from './fake';
import { cabin, group, home, room, snapshot } from './fixtures';
import type { ErrorKind, Snapshot } from '../src/bindings';

const signedOut = (extra: Partial<Snapshot['live']> = {}) =>
  snapshot([], { session: { state: 'signedOut', persistent: false, reason: null }, sync: { state: 'idle' }, ...extra });

const scenarios: Record<string, () => Snapshot> = {
  home: () => snapshot([home(), cabin()]),
  demo: () => snapshot([home(), cabin()], {}, true),
  signedOut: () => signedOut(),
  expired: () => signedOut({ session: { state: 'signedOut', persistent: false, reason: 'Sonos no longer accepts this sign-in (it was revoked or expired): sign in again' } }),
  waiting: () => signedOut({ signingIn: true }),
  offline: () => snapshot([home()], { sync: { state: 'failed', kind: 'network', offline: true, message: 'could not reach Sonos: connection refused' } }),
  loading: () => snapshot([], { sync: { state: 'loading' } }),
  many: () =>
    snapshot([
      {
        id: 'Sonos_big',
        groups: Array.from({ length: 32 }, (_, n) => group(`G-${n}`, `Room ${n + 1}`, [room(`P-${n}`, `Room ${n + 1}`, (n * 7) % 100)], { state: n % 3 ? 'paused' : 'playing' })),
      },
    ]),
  long: () => {
    const h = home();
    h.groups[0].name = 'The Very Long Living Room Name That Keeps Going + 1';
    h.groups[0].nowPlaying = {
      title: 'An Extraordinarily Long Track Title That Goes On And On Through Several Clauses (Extended Live Version, Remastered 2026)',
      artist: 'A Collective of Artists Whose Names Alone Would Fill a Line, featuring Many Others',
      album: 'An Album Name That Is Also Far Too Long for Any Reasonable Layout',
      container: null,
      service: 'Simulated Music',
      artUrl: null,
      durationMillis: 3_723_000,
    };
    return snapshot([h]);
  },
  noArt: () => {
    const h = home();
    h.groups[0].nowPlaying!.artUrl = 'http://192.168.1.20:1400/getaa?s=1&u=x-sonos-spotify';
    h.groups[1].nowPlaying!.artUrl = null;
    return snapshot([h]);
  },
  notice: () => {
    const s = snapshot([home()]);
    s.notices = [{ kind: 'settings', message: 'the settings file /home/me/.config/com.roomtone.desktop/settings.json could not be used (the tray\'s volume step is between 1 and 20, not 99); Roomtone started with its defaults and left the file as it is.' }];
    return s;
  },
};

const params = new URLSearchParams(location.search);
const name = params.get('scenario') ?? 'home';
const fake = new FakeCore((scenarios[name] ?? scenarios.home)());
const kind = (params.get('failKind') ?? 'sonos') as ErrorKind;
const messages: Record<string, string> = {
  sonos: 'Sonos refused {cmd} (503)',
  network: 'could not reach the relay: connection refused',
  keychainUnavailable: 'the system keychain is not available (no Secret Service). Roomtone can stay signed in until it quits, without saving the sign-in',
};
for (const cmd of (params.get('fail') ?? '').split(',').filter(Boolean)) {
  fake.failing[cmd] = { kind, message: (messages[kind] ?? kind).replace('{cmd}', cmd.replace(/_/g, ' ')) };
}
fake.marks = params.has('marks');
mockIPC((cmd, args) => fake.handle(cmd, args as Record<string, unknown>), { shouldMockEvents: true });
(window as unknown as { __fake: FakeCore }).__fake = fake;
await import('../src/main');
