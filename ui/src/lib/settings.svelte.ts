// The settings window's state: the saved settings (from the core), the form being edited,
// and what saving said. The core validates; its message is shown as it is, in a sentence.
import { commands, type Hotkeys, type Settings, type SettingsView } from '../bindings';
import { sentence } from './toasts.svelte';

export type Mode = 'relay' | 'direct';

/** The form being edited: the settings as the core sent them (every field present, the
 * defaults filled in by the core), copied so that editing does not touch the saved ones. */
export type Form = Settings;

export const HOTKEYS: { key: keyof Omit<Hotkeys, 'enabled'>; label: string }[] = [
  { key: 'playPause', label: 'Play / pause' },
  { key: 'next', label: 'Next track' },
  { key: 'previous', label: 'Previous track' },
  { key: 'volumeUp', label: 'Volume up' },
  { key: 'volumeDown', label: 'Volume down' },
  { key: 'mute', label: 'Mute' },
];

const blank = (v: string | null | undefined) => (v && v.trim() ? v.trim() : null);

export function form(s: Settings): Form {
  return { ...s, hotkeys: { ...s.hotkeys } };
}

/** The form before the core's settings arrive: never shown (the window waits for them), so
 * its values are blanks, not defaults — those are the core's. */
const UNLOADED: Form = {
  relayUrl: null,
  clientId: null,
  redirectUri: null,
  closeToTray: false,
  startHidden: false,
  startAtLogin: false,
  notifyTrackChange: false,
  checkUpdates: false,
  trayVolumeStep: 0,
  trayGroup: null,
  hotkeys: { enabled: false, playPause: '', next: '', previous: '', volumeUp: '', volumeDown: '', mute: '' },
  // Not the form's: the app keeps the streams played lately as it saves.
  recentStreams: [],
};

/**
 * The accelerator a key press makes (`Ctrl+Alt+P`), `''` to clear (Backspace or Delete on
 * their own), or `null` while only modifiers are down.
 */
export function accelerator(e: Pick<KeyboardEvent, 'code' | 'ctrlKey' | 'altKey' | 'shiftKey' | 'metaKey'>, mac = false): string | null {
  const code = e.code;
  if (/^(Control|Alt|Shift|Meta|OS)(Left|Right)?$/.test(code) || code === '') return null;
  const mods = [e.ctrlKey && 'Ctrl', e.altKey && (mac ? 'Option' : 'Alt'), e.shiftKey && 'Shift', e.metaKey && (mac ? 'Command' : 'Super')].filter(
    Boolean,
  ) as string[];
  if (mods.length === 0 && (code === 'Backspace' || code === 'Delete')) return '';
  const key = code.replace(/^Key(?=[A-Z]$)/, '').replace(/^Digit(?=\d$)/, '').replace(/^Arrow/, '');
  return [...mods, key].join('+');
}

/** How an accelerator reads: `CommandOrControl` as this computer names it. */
export function pretty(accel: string, mac = false): string {
  return accel.replace(/CommandOrControl|CmdOrCtrl/gi, mac ? 'Command' : 'Ctrl');
}

export class SettingsWindow {
  view = $state<SettingsView | null>(null);
  form = $state<Form>(form(UNLOADED));
  mode = $state<Mode>('relay');
  error = $state<string | null>(null);
  saved = $state(false);
  busy = $state(false);

  async load() {
    this.view = await commands.settingsGet();
    this.#adopt(this.view);
    this.error = null;
    this.saved = false;
  }

  #adopt(view: SettingsView) {
    this.view = view;
    this.form = form(view.settings);
    this.mode = view.settings.redirectUri ? 'direct' : 'relay';
  }

  /** What is saved: the form, with the other mode's fields cleared. */
  #outgoing(): Settings {
    const f = $state.snapshot(this.form);
    const direct = this.mode === 'direct';
    return {
      ...f,
      relayUrl: direct ? null : blank(f.relayUrl),
      clientId: blank(f.clientId),
      redirectUri: direct ? blank(f.redirectUri) : null,
      trayVolumeStep: Number(f.trayVolumeStep),
    };
  }

  /** Saves; true when saved (what the OS refused is then in `view.problems`). */
  async save(): Promise<boolean> {
    if (this.mode === 'direct' && (!blank(this.form.clientId) || !blank(this.form.redirectUri))) {
      this.error = 'Direct mode needs your integration’s client ID and redirect URI, as the Sonos developer portal shows them.';
      return false;
    }
    this.busy = true;
    const result = await commands.settingsSet(this.#outgoing());
    this.busy = false;
    if (result.status === 'error') {
      this.error = sentence(result.error.message);
      this.saved = false;
      return false;
    }
    this.#adopt(result.data);
    this.error = null;
    this.saved = true;
    return true;
  }

  /** Reads the settings view again, not the form: how the hotkeys work changed
   * (`hotkeys-changed`, the desktop's portal answered). */
  async refresh() {
    this.view = await commands.settingsGet();
  }

  /** Keeps the client secret in the keychain (blank removes it). */
  async saveSecret(secret: string): Promise<boolean> {
    this.busy = true;
    const result = await commands.settingsSetClientSecret(secret);
    this.busy = false;
    if (result.status === 'error') {
      this.error = sentence(result.error.message);
      return false;
    }
    this.view = result.data;
    this.error = null;
    return true;
  }

  restart() {
    void commands.appRestart();
  }
}
