// The state the window shows, fed by the core: a snapshot on connect, then every change.
// A snapshot carries a revision; an older one (a late answer) never replaces a newer one.
import { commands, events, type AppError, type Group, type Snapshot } from '../bindings';

const starting: Snapshot = {
  demo: false,
  notices: [],
  live: {
    revision: 0,
    session: { state: 'starting', persistent: false, reason: null },
    households: [],
    sync: { state: 'idle' },
  },
};

type Result = { status: 'ok' } | { status: 'error'; error: AppError };

export class Live {
  snapshot = $state<Snapshot>(starting);
  problem = $state<string | null>(null);
  busy = $state(false);

  get session() {
    return this.snapshot.live.session;
  }

  get households() {
    return this.snapshot.live.households;
  }

  apply(next: Snapshot) {
    if (next.live.revision >= this.snapshot.live.revision) this.snapshot = next;
  }

  /** Listens first, then asks: no change can fall between the two. */
  async connect(): Promise<() => void> {
    const stops = await Promise.all([
      events.stateChanged.listen((e) => this.apply(e.payload)),
      events.problem.listen((e) => (this.problem = sentence(e.payload.message))),
    ]);
    this.apply(await commands.householdSnapshot());
    return () => stops.forEach((stop) => stop());
  }

  /** Runs a command; a failure is shown in words. */
  async run(action: () => Promise<Result>): Promise<boolean> {
    const result = await action();
    if (result.status === 'error') this.problem = sentence(result.error.message);
    return result.status === 'ok';
  }

  async signIn() {
    this.busy = true;
    this.problem = null;
    try {
      await this.run(commands.sessionSignIn);
    } finally {
      this.busy = false;
    }
  }

  async signOut() {
    if (await this.run(commands.sessionSignOut)) this.problem = null;
  }

  toggle(group: Group) {
    return this.run(() => commands.playbackToggle(group.id));
  }
}

/** Messages from the core start in lower case, to read well after a colon; a banner starts a sentence. */
export const sentence = (message: string) => message.charAt(0).toUpperCase() + message.slice(1);

export const playing = (g: Group) => g.state === 'playing' || g.state === 'buffering';

export function nowPlaying(g: Group): string {
  const now = g.nowPlaying;
  if (!now) return 'Nothing playing';
  return now.artist ? `${now.title} — ${now.artist}` : now.title;
}
