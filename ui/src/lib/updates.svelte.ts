// Roomtone's own updates as the core reports them (`update-changed`), and the person's two
// requests: look now, install. The rules (when to look, what may be installed) are the
// core's; this only shows them.
import { commands, events, type Offer, type UpdateState } from '../bindings';

export class Updates {
  state = $state<UpdateState>({ state: 'waiting' });
  /** The person said "Later" to this version: the banner stays away until a newer one. */
  dismissed = $state<string | null>(null);

  /** Follows the core's state; returns the function that stops following. */
  async connect(): Promise<() => void> {
    const stop = await events.updateChanged.listen((e) => (this.state = e.payload));
    this.state = await commands.updatesGet();
    return stop;
  }

  /** The offer, whether it is fresh, being installed or kept by a failure; `byHand` is the
   * core's sentence where Roomtone does not install it itself. */
  get offer(): { offer: Offer; byHand: string | null } | null {
    const s = this.state;
    if (s.state === 'available' || (s.state === 'failed' && s.offer)) return { offer: s.offer!, byHand: s.byHand };
    if (s.state === 'installing') return { offer: s.offer, byHand: null };
    return null;
  }

  /** What the About section says of the updates, in a sentence. */
  get summary(): string {
    const s = this.state;
    switch (s.state) {
      case 'off':
        return s.why === 'demo'
          ? 'Updates are not checked in the demo.'
          : s.why === 'noKey'
            ? 'This build of Roomtone is not signed for updates: new releases are at github.com/roomtone/roomtone/releases.'
            : 'Automatic update checks are off.';
      case 'waiting':
        return 'Roomtone looks for updates when it starts and once a day.';
      case 'checking':
        return 'Looking for updates…';
      case 'upToDate':
        return `Roomtone ${s.version} is the newest version.`;
      case 'available':
        return `Roomtone ${s.offer.version} is available.`;
      case 'installing':
        return `Installing Roomtone ${s.offer.version}…`;
      case 'installed':
        return `Roomtone ${s.version} is installed: restart Roomtone to use it.`;
      case 'failed':
        return s.message;
    }
  }

  /** Whether "Check now" can do anything here. */
  get canCheck(): boolean {
    const s = this.state;
    return !(s.state === 'off' && s.why !== 'setting') && s.state !== 'checking' && s.state !== 'installing' && s.state !== 'installed';
  }

  check() {
    void commands.updatesCheck();
  }

  /** Installs on the person's word; a refusal shows as the state the core reports. */
  install() {
    void commands.updatesInstall();
  }
}
