import { mockIPC } from '@tauri-apps/api/mocks';
import { beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../src/lib/library.svelte';
import { Live } from '../../src/lib/live.svelte';
import { Toasts } from '../../src/lib/toasts.svelte';

// library_get answers with a favorite named after how often it was asked.
const asked: string[] = [];
beforeAll(() => {
  (globalThis as { window?: unknown }).window ??= globalThis;
  mockIPC((cmd, args) => {
    if (cmd !== 'library_get') return null;
    const household = (args as { household: string }).household;
    asked.push(household);
    const name = `Favorite ${asked.length}`;
    return { favorites: [{ id: 'f', name, description: null, service: null, artUrl: null }], playlists: [] };
  });
});

describe('Library', () => {
  it('reads a shown library again when Sonos says favorites or playlists changed', async () => {
    const library = new Library(new Live(new Toasts(0)));
    await library.follow(0);
    await library.load('H1');
    expect(library.items('H1', 'favorites')?.[0]?.name).toBe('Favorite 1');

    // The same count again (another state change): nothing is read.
    await library.follow(0);
    expect(asked).toEqual(['H1']);

    // Another phone added a favorite: the count moves and H1 is read again.
    await library.follow(1);
    expect(library.items('H1', 'favorites')?.[0]?.name).toBe('Favorite 2');
    expect(asked).toEqual(['H1', 'H1']);
  });
});
