import { describe, expect, it } from 'vitest';
import { accelerator, form, pretty } from '../../src/lib/settings.svelte';

const key = (code: string, mods: Partial<Record<'ctrlKey' | 'altKey' | 'shiftKey' | 'metaKey', boolean>> = {}) => ({
  code,
  ctrlKey: false,
  altKey: false,
  shiftKey: false,
  metaKey: false,
  ...mods,
});

describe('recording a shortcut', () => {
  it('makes the accelerator the core parses from a key press', () => {
    expect(accelerator(key('KeyP', { ctrlKey: true, altKey: true }))).toBe('Ctrl+Alt+P');
    expect(accelerator(key('ArrowRight', { ctrlKey: true, shiftKey: true }))).toBe('Ctrl+Shift+Right');
    expect(accelerator(key('Digit5', { metaKey: true }))).toBe('Super+5');
    expect(accelerator(key('Digit5', { metaKey: true, altKey: true }), true)).toBe('Option+Command+5');
    expect(accelerator(key('MediaPlayPause'))).toBe('MediaPlayPause');
    expect(accelerator(key('F8'))).toBe('F8');
  });

  it('waits while only modifiers are down, and Backspace alone clears', () => {
    expect(accelerator(key('ControlLeft', { ctrlKey: true }))).toBeNull();
    expect(accelerator(key('AltRight', { altKey: true, ctrlKey: true }))).toBeNull();
    expect(accelerator(key('Backspace'))).toBe('');
    expect(accelerator(key('Delete'))).toBe('');
    expect(accelerator(key('Backspace', { ctrlKey: true }))).toBe('Ctrl+Backspace');
  });

  it('shows CommandOrControl as this computer names it', () => {
    expect(pretty('CommandOrControl+Alt+P')).toBe('Ctrl+Alt+P');
    expect(pretty('CommandOrControl+Alt+P', true)).toBe('Command+Alt+P');
  });
});

describe('the form', () => {
  it('edits a copy: the saved settings stay as the core sent them', () => {
    const saved = {
      relayUrl: null,
      clientId: null,
      redirectUri: null,
      closeToTray: true,
      startHidden: false,
      startAtLogin: false,
      notifyTrackChange: false,
      checkUpdates: true,
      trayVolumeStep: 5,
      trayGroup: null,
      hotkeys: { enabled: false, playPause: 'CommandOrControl+Alt+P', next: '', previous: '', volumeUp: '', volumeDown: '', mute: '' },
      recentStreams: [],
    };
    const f = form(saved);
    f.trayVolumeStep = 9;
    f.hotkeys.playPause = 'Ctrl+P';
    expect(saved.trayVolumeStep).toBe(5);
    expect(saved.hotkeys.playPause).toBe('CommandOrControl+Alt+P');
    expect(f.hotkeys.playPause).toBe('Ctrl+P');
  });
});
