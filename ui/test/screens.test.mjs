// Every screen in Debian's Chromium (playwright-core), the UI built with Tauri's IPC mocked
// (test/harness.ts): each state a person can meet, an axe-core check on each with no serious
// violation, the interactions (optimistic changes and rollback, the throttled slider,
// grouping, the library, the keyboard), and screenshots in light and dark to test-output/.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, '..', 'test-dist');
const out = path.join(here, '..', 'test-output');
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const ORIGIN = 'http://roomtone.test';
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

let browser;
before(async () => {
  await mkdir(out, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
});
after(() => browser?.close());

/** A page of the harness in `scenario`, colour scheme `scheme`, with commands in `fail` failing. */
async function open(scenario, { scheme = 'light', fail = [], failKind, width = 1100, height = 760, marks = false, hash = '' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme: scheme, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  // The built files, served from a made-up origin; artwork is a drawn square, like a real cover.
  await page.route(`${ORIGIN}/**`, async (route) => {
    const file = path.join(dist, new URL(route.request().url()).pathname);
    const body = await readFile(file).catch(() => null);
    if (!body) return route.fulfill({ status: 404 });
    await route.fulfill({ body, contentType: types[path.extname(file)] ?? 'application/octet-stream' });
  });
  await page.route('https://art.example/**', (route) => {
    const seed = decodeURIComponent(new URL(route.request().url()).pathname);
    const hue = [...seed].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 0);
    route.fulfill({ contentType: 'image/svg+xml', body: `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300"><rect width="300" height="300" fill="hsl(${hue} 45% 42%)"/><circle cx="210" cy="90" r="60" fill="hsl(${(hue + 60) % 360} 60% 70%)"/></svg>` });
  });
  const query = new URLSearchParams({ scenario, fail: fail.join(',') });
  if (failKind) query.set('failKind', failKind);
  if (marks) query.set('marks', '1');
  await page.goto(`${ORIGIN}/test/harness.html?${query}${hash}`);
  return { page, errors, close: () => context.close() };
}

const calls = (page, cmd) => page.evaluate((cmd) => window.__fake.calls.filter((c) => c.cmd === cmd).map((c) => c.args), cmd);

async function axe(page, name) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `${name}: accessibility violations`,
  );
}

async function shoot(page, name) {
  // Painted: two animation frames after the DOM settled.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: false });
}

/** Opens a screen in light and dark, checks it each time, and returns nothing. */
async function screen(scenario, name, ready, check = async () => {}, options = {}) {
  for (const scheme of ['light', 'dark']) {
    const { page, errors, close } = await open(scenario, { ...options, scheme });
    await page.locator(ready).first().waitFor();
    await check(page);
    await axe(page, `${name} (${scheme})`);
    await shoot(page, `${name}-${scheme}`);
    assert.deepEqual(errors.map(String), [], 'no errors in the page');
    await close();
  }
}

describe('every screen, light and dark, accessible', () => {
  it('signed out', () =>
    screen('signedOut', 'signed-out', '[data-test="sign-in"]', async (page) => {
      assert.equal(await page.getByRole('button', { name: 'Sign in with Sonos' }).count(), 1);
    }));

  it('a group with a sleep timer', () =>
    screen('home', 'sleep-timer', '[data-test="sleep"]', async (page) => {
      await page.getByRole('button', { name: 'Sleep in 45 min' }).click();
      await page.locator('[data-test="sleep-left"]').waitFor();
      assert.match(await page.locator('[data-test="sleep-left"]').innerText(), /45 min left$/);
    }));

  it('signed out by Sonos, with the reason', () =>
    screen('expired', 'signed-out-reason', '[data-test="reason"]', async (page) => {
      assert.match(await page.locator('[data-test="reason"]').innerText(), /^Sonos no longer accepts this sign-in/);
    }));

  it('waiting for the browser, with cancel and open again', () =>
    screen('waiting', 'waiting', '[data-test="waiting"]', async (page) => {
      assert.equal(await page.getByRole('button', { name: 'Open the browser again' }).count(), 1);
      assert.equal(await page.getByRole('button', { name: 'Cancel' }).count(), 1);
    }));

  it('a sign-in that fails says why in plain words', () =>
    screen('signedOut', 'sign-in-error', '[data-test="sign-in"]', async (page) => {
      await page.locator('[data-test="sign-in"]').click();
      const text = await page.locator('[data-test="sign-in-error"]').innerText();
      assert.match(text, /could not reach its sign-in relay/);
    }, { fail: ['session_sign_in'], failKind: 'network' }));

  it('an expired sign-in is told by its kind, whatever the words', async () => {
    const { page, close } = await open('signedOut', { fail: ['session_sign_in'], failKind: 'signInExpired' });
    await page.locator('[data-test="sign-in"]').click();
    const text = await page.locator('[data-test="sign-in-error"]').innerText();
    assert.match(text, /did not come back to Roomtone in time/);
    await close();
  });

  it('no keychain: the session-only choice', () =>
    screen('signedOut', 'keychain-unavailable', '[data-test="sign-in"]', async (page) => {
      await page.locator('[data-test="sign-in"]').click();
      await page.getByRole('button', { name: 'Stay signed in until Roomtone quits' }).waitFor();
    }, { fail: ['session_sign_in'], failKind: 'keychainUnavailable' }));

  it('the household: rooms, now playing, volumes, library', () =>
    screen('home', 'household', '[data-test="now-playing"]', async (page) => {
      const rooms = await page.locator('[data-test="group"]').allInnerTexts();
      assert.equal(rooms.length, 4);
      assert.match(await page.locator('[data-test="title"]').innerText(), /Fog Lifts at Noon/);
      await page.locator('[data-test="library-item"]').first().waitFor();
      // Two households: a switcher.
      assert.equal(await page.locator('[data-test="household-switch"] option').count(), 2);
      // The position row paints only inside itself (it is contained): the seek slider's
      // focus ring, drawn outside the slider, must fit in the row.
      await page.locator('[data-test="seek"]').focus();
      const ring = await page.evaluate(() => {
        const slider = document.querySelector('[data-test="seek"]');
        const row = slider.closest('.progress');
        const style = getComputedStyle(slider);
        const out = parseFloat(style.outlineWidth) + parseFloat(style.outlineOffset);
        const s = slider.getBoundingClientRect();
        const r = row.getBoundingClientRect();
        return { focused: slider.matches(':focus-visible'), out, contained: getComputedStyle(row).contain,
                 fits: s.top - out >= r.top && s.bottom + out <= r.bottom && s.left - out >= r.left && s.right + out <= r.right };
      });
      assert.ok(ring.focused && ring.out > 0, `the slider shows a focus ring (${JSON.stringify(ring)})`);
      assert.ok(ring.fits, `the focus ring fits in the contained row (${JSON.stringify(ring)})`);
    }));

  it('the demo household', () =>
    screen('demo', 'demo', '[data-test="demo-banner"]', async (page) => {
      assert.equal(await page.locator('[data-test="demo-banner"]').innerText(), 'Demo household');
    }));

  it('offline: the last state, quietly marked, with a retry', () =>
    screen('offline', 'offline', '[data-test="offline"]', async (page) => {
      assert.match(await page.locator('[data-test="offline"]').innerText(), /Can't reach Sonos/);
      assert.equal(await page.locator('[data-test="group"]').count(), 4, 'the last-known rooms stay');
    }));

  it('reading the household', () => screen('loading', 'loading', '[data-test="loading"]'));

  it('a problem found at start', () =>
    screen('notice', 'notice', '[data-test="notice"]', async (page) => {
      assert.match(await page.locator('[data-test="notice"]').innerText(), /^The settings file/);
    }));

  it('many groups', () =>
    screen('many', 'many-groups', '[data-test="now-playing"]', async (page) => {
      assert.equal(await page.locator('[data-test="group"]').count(), 32);
    }));

  it('long titles stay inside their boxes', () =>
    screen('long', 'long-titles', '[data-test="now-playing"]', async (page) => {
      const overflow = await page.evaluate(() =>
        [...document.querySelectorAll('.now, .groups li, .volume-panel')].filter((el) => el.scrollWidth > el.clientWidth + 1).length,
      );
      assert.equal(overflow, 0, 'nothing spills sideways');
    }));

  it("a playlist's tracks", () =>
    screen('home', 'playlist', '[data-test="library-item"]', async (page) => {
      await page.locator('[data-test="tab-playlists"]').click();
      await page.getByRole('button', { name: 'Show the tracks of Thursday Morning Mix' }).click();
      await page.locator('[data-test="playlist-track"]').first().waitFor();
      await page.locator('[data-test="playlist"]').scrollIntoViewIfNeeded();
      const overflow = await page.evaluate(() => [...document.querySelectorAll('.tracks li')].filter((el) => el.scrollWidth > el.clientWidth + 1).length);
      assert.equal(overflow, 0, 'a long title wraps inside its row');
    }));

  it('room settings: a volume limit, a fixed volume, mono', () =>
    screen('home', 'room-settings', '[data-test="open-room-options"]', async (page) => {
      await page.locator('[data-test="open-room-options"]').click();
      await page.locator('[data-test="volume-limit"]').first().waitFor();
      assert.deepEqual(await page.locator('[data-test="room-limit-row"]').evaluateAll((rows) => rows.map((r) => r.dataset.room)), ['Living Room', 'Kitchen']);
      assert.equal(await page.locator('[data-test="mono"]').count(), 1, 'the Kitchen is mono');
      await page.locator('[data-test="room-options"]').scrollIntoViewIfNeeded();
    }));

  it('play a stream', () =>
    screen('home', 'streams', '[data-test="library-item"]', async (page) => {
      await page.locator('[data-test="tab-streams"]').click();
      await page.locator('[data-test="recent-stream"]').first().waitFor();
      await page.locator('[data-test="stream-url"]').fill('https://radio.example/tides.aac');
      await page.locator('[data-test="library"]').scrollIntoViewIfNeeded();
    }));

  it('the settings window', () =>
    screen('home', 'settings', '[data-test="open-settings"]', async (page) => {
      await page.locator('[data-test="open-settings"]').click();
      await page.locator('[data-test="settings-save"]').waitFor();
      assert.equal(await page.locator('dialog[open]').count(), 1, 'a modal dialog');
      assert.equal(await page.locator('[data-test="mode-relay"]').isChecked(), true);
      assert.equal(await page.locator('[data-test="hotkey"]').first().inputValue(), 'Ctrl+Alt+P');
      assert.equal(await page.locator('[data-test="hotkey"]').first().isDisabled(), true, 'off until turned on');
    }));

  it("the settings' About: the version, and the open-source software in Roomtone by license", () =>
    screen('home', 'settings-about', '[data-test="open-settings"]', async (page) => {
      await page.locator('[data-test="open-settings"]').click();
      assert.equal(await page.locator('[data-test="about-version"]').innerText(), 'Roomtone 0.1.0');
      assert.equal(await page.locator('[data-test="license"]').count(), 0, 'the list is read when opened');
      await page.locator('[data-test="licenses"] summary').click();
      const count = await page.locator('[data-test="licenses-count"]').innerText();
      assert.ok(Number(/^(\d+) packages/.exec(count)?.[1]) > 100, count);
      const licenses = await page.locator('[data-test="license"]').allInnerTexts();
      assert.match(licenses[0], /^Apache-2\.0 OR MIT \(\d+\)$/, 'the most common license first');
      const list = await page.locator('[data-test="licenses"]').innerText();
      for (const shipped of [/\btauri 2\.\d+\.\d+/, /\bkeyring \d/, /\bsvelte 5\./, /@tauri-apps\/api 2\./]) assert.match(list, shipped);
      await page.locator('[data-test="about"]').scrollIntoViewIfNeeded();
    }));

  const OFFER = { version: '0.2.0', date: '2026-12-01', notes: 'Faster grouping.\nThe sleep timer follows a regrouped room.' };

  it('a new Roomtone: what is new, installed on the word of the person, then a restart', () =>
    screen('home', 'update-available', '[data-test="now-playing"]', async (page) => {
      assert.equal(await page.locator('[data-test="update-banner"]').count(), 0, 'nothing while up to date');
      await page.evaluate((offer) => window.__fake.setUpdate({ state: 'available', offer, byHand: null }), OFFER);
      assert.equal(await page.locator('[data-test="update-version"]').innerText(), 'Roomtone 0.2.0 is available (2026-12-01).');
      assert.equal(await page.locator('[data-test="update-notes"]').innerText(), OFFER.notes);
      assert.deepEqual(await calls(page, 'updates_install'), [], 'nothing is installed before the person says so');
      await shoot(page, 'update-offer');
      await page.locator('[data-test="update-install"]').click();
      await page.locator('[data-test="update-restart"]').waitFor();
      assert.equal((await calls(page, 'updates_install')).length, 1);
      assert.match(await page.locator('[data-test="update-banner"]').innerText(), /Roomtone 0\.2\.0 is installed\. Restart Roomtone to use it\./);
    }));

  it('an update that fails its signature check says so and keeps the offer; Later puts it off', async () => {
    const { page, errors, close } = await open('home');
    await page.locator('[data-test="now-playing"]').waitFor();
    const refused = "The downloaded update is not signed with Roomtone's release key, so it was not installed and nothing was changed.";
    await page.evaluate((refused) => (window.__fake.installFails = refused), refused);
    await page.evaluate((offer) => window.__fake.setUpdate({ state: 'available', offer, byHand: null }), OFFER);
    await page.locator('[data-test="update-install"]').click();
    assert.equal(await page.locator('[data-test="update-problem"]').innerText(), refused);
    assert.equal(await page.locator('[data-test="update-install"]').innerText(), 'Try again');
    assert.match(await page.locator('[data-test="update-version"]').innerText(), /0\.2\.0/);
    await axe(page, 'update refused');
    await shoot(page, 'update-refused');
    await page.locator('[data-test="update-later"]').click();
    assert.equal(await page.locator('[data-test="update-banner"]').count(), 0);
    assert.deepEqual(errors, []);
    await close();
  });

  it('a copy from a deb is told to update through its package manager, with no Install button', async () => {
    const { page, close } = await open('home');
    await page.locator('[data-test="now-playing"]').waitFor();
    const byHand = 'This copy of Roomtone was installed from a .deb package: install the new .deb from https://github.com/roomtone/roomtone/releases with your package manager.';
    await page.evaluate(([offer, byHand]) => window.__fake.setUpdate({ state: 'available', offer, byHand }), [OFFER, byHand]);
    assert.equal(await page.locator('[data-test="update-by-hand"]').innerText(), byHand, "the core's sentence, as it is");
    assert.equal(await page.locator('[data-test="update-install"]').count(), 0);
    await close();
  });

  it("the About's updates: the state, Check now, and the setting saved", async () => {
    const { page, close } = await open('home');
    await page.locator('[data-test="open-settings"]').click();
    assert.equal(await page.locator('[data-test="update-summary"]').innerText(), 'Roomtone 0.1.0 is the newest version.');
    await page.locator('[data-test="check-now"]').click();
    assert.equal((await calls(page, 'updates_check')).length, 1);
    await page.evaluate(() => window.__fake.setUpdate({ state: 'off', why: 'demo' }));
    assert.equal(await page.locator('[data-test="update-summary"]').innerText(), 'Updates are not checked in the demo.');
    assert.equal(await page.locator('[data-test="check-now"]').isDisabled(), true);
    assert.equal(await page.locator('[data-test="check-updates"]').isChecked(), true, 'on by default');
    await page.locator('[data-test="check-updates"]').uncheck();
    await page.locator('[data-test="settings-save"]').click();
    await page.locator('dialog[open]').waitFor({ state: 'detached' });
    assert.equal((await calls(page, 'settings_set')).at(-1).settings.checkUpdates, false);
    await close();
  });

  it('the settings window, direct mode with what the OS refused', () =>
    screen('signedOut', 'settings-direct', '[data-test="open-settings"]', async (page) => {
      await page.locator('[data-test="open-settings"]').click();
      await page.locator('[data-test="mode-direct"]').check();
      await page.locator('[data-test="client-id"]').fill('my-integration');
      await page.locator('[data-test="redirect-uri"]').fill('https://me.example/sonos/callback');
      await page.locator('[data-test="hotkeys-enabled"]').check();
      await page.locator('[data-test="hotkey"][data-action="mute"]').click();
      await page.keyboard.press('Control+Alt+KeyM');
      await page.locator('[data-test="settings-save"]').click();
      await page.locator('[data-test="settings-problem"]').waitFor();
      await page.locator('[data-test="restart-needed"]').waitFor();
      assert.match(await page.locator('[data-test="hotkeys-via"]').innerText(), /^Through the X server's key grab/);
    }));

  it('the settings window on Wayland: what the desktop bound, and what it left out', () =>
    screen('home', 'settings-wayland', '[data-test="open-settings"]', async (page) => {
      await page.evaluate(() => (window.__fake.portal = true));
      await page.locator('[data-test="open-settings"]').click();
      await page.locator('[data-test="hotkeys-enabled"]').check();
      await page.locator('[data-test="settings-save"]').click();
      assert.equal(await page.locator('[data-test="hotkeys-via"]').innerText(), 'Asking the desktop for the shortcuts…');
      await page.evaluate(() =>
        window.__fake.answerHotkeys(
          "Bound by the desktop's global-shortcuts portal: play/pause Ctrl+Alt+P, next Ctrl+Alt+Right, previous Ctrl+Alt+Left, volume up Ctrl+Alt+Up, volume down Ctrl+Alt+Down. Change the keys in the desktop's keyboard settings.",
          ["The desktop did not bind the mute shortcut; allow it or choose its keys in the desktop's keyboard settings, then turn hotkeys off and on again."],
        ),
      );
      await page.locator('[data-test="settings-problem"]').waitFor();
      assert.match(await page.locator('[data-test="hotkeys-via"]').innerText(), /portal: play\/pause Ctrl\+Alt\+P/);
      assert.equal(await page.locator('dialog[open]').count(), 1, 'open: there is a refusal to read');
      await page.locator('[data-test="hotkeys-via"]').scrollIntoViewIfNeeded();
    }));

  it('missing artwork and LAN artwork get fallback art', () =>
    screen('noArt', 'missing-artwork', '[data-test="now-playing"]', async (page) => {
      // The LAN URL does not load (the page may not reach it); a drawn stand-in shows instead.
      await page.locator('[data-test="now-playing"] [data-test="fallback-art"]').waitFor();
      assert.equal(await page.locator('[data-test="now-playing"] [data-test="fallback-art"]').count(), 1);
      assert.equal(await page.locator('img[src*="192.168."]').count(), 0);
    }));
});

describe('interactions', () => {
  it('waiting for the browser: open it again, or cancel', async () => {
    const { page, close } = await open('waiting');
    await page.getByRole('button', { name: 'Open the browser again' }).click();
    assert.equal((await calls(page, 'session_open_browser_again')).length, 1);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('[data-test="sign-in"]').waitFor();
    assert.equal((await calls(page, 'session_cancel_sign_in')).length, 1);
    await close();
  });

  it('no keychain: staying signed in for this run is one click', async () => {
    const { page, close } = await open('signedOut', { fail: ['session_sign_in'], failKind: 'keychainUnavailable' });
    await page.locator('[data-test="sign-in"]').click();
    await page.getByRole('button', { name: 'Stay signed in until Roomtone quits' }).click();
    assert.equal((await calls(page, 'session_keep_for_this_run')).length, 1);
    await close();
  });

  it('play/pause shows at once; a refusal rolls back and says why', async () => {
    const { page, close } = await open('home', { fail: ['toggle'] });
    const office = page.locator('[data-group="Office"] [data-test="toggle"]');
    await office.click();
    await page.locator('[data-test="toast"]').waitFor();
    assert.match(await page.locator('[data-test="toast"]').innerText(), /Sonos refused toggle/);
    assert.equal(await office.getAttribute('aria-label'), 'Play Office', 'rolled back to paused');
    await shoot(page, 'rollback-toast-light');
    await close();
  });

  it('play/pause that Sonos accepts is read back', async () => {
    const { page, close } = await open('home');
    await page.locator('[data-group="Office"] [data-test="toggle"]').click();
    await page.locator('[aria-label="Pause Office"]').waitFor();
    assert.deepEqual(await calls(page, 'toggle'), [{ group: 'G-office' }]);
    await close();
  });

  it('tells the core which group is on screen (polled often without an event stream)', async () => {
    const { page, close } = await open('home');
    const focused = (group) =>
      page.waitForFunction((group) => window.__fake.calls.filter((c) => c.cmd === 'view_focus').at(-1)?.args.group === group, group);
    // The playing group shows first.
    await page.locator('[data-group="Living Room + 1"] button.pick[aria-current="true"]').waitFor();
    await focused('G-living');
    await page.locator('[data-group="Office"] button.pick').click();
    await page.locator('[data-group="Office"] button.pick[aria-current="true"]').waitFor();
    await focused('G-office');
    await close();
  });

  it('a page woken from sleep by the tray\'s "Settings…" opens them from its address, once', async () => {
    const { page, close } = await open('home', { hash: '#settings' });
    await page.locator('[data-test="settings-save"]').waitFor();
    assert.equal(await page.evaluate(() => location.hash), '', 'a reload does not open them again');
    assert.match(await page.evaluate(() => location.search), /scenario=home/);
    await close();
  });

  it('keeps the page awake while the settings are open (a hidden window\'s page sleeps otherwise)', async () => {
    const { page, close } = await open('home');
    const told = () => page.evaluate(() => window.__fake.calls.filter((c) => c.cmd === 'view_unsaved').map((c) => c.args.unsaved));
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === 'view_unsaved'));
    assert.deepEqual(await told(), [false]);
    await page.locator('[data-test="open-settings"]').click();
    await page.locator('[data-test="settings-save"]').waitFor();
    await page.waitForFunction(() => window.__fake.calls.filter((c) => c.cmd === 'view_unsaved').at(-1)?.args.unsaved === true);
    await page.locator('[data-test="settings-close"]').click();
    await page.waitForFunction(() => window.__fake.calls.filter((c) => c.cmd === 'view_unsaved').at(-1)?.args.unsaved === false);
    assert.deepEqual(await told(), [false, true, false]);
    await close();
  });

  it('marks each new shown group volume for the benchmarks only when the app asks', async () => {
    const change = (page, volume) =>
      page.evaluate((volume) => window.__fake.publish((s) => (s.live.households[0].groups.find((g) => g.id === 'G-living').volume.volume = volume)), volume);
    const marked = (page) => page.evaluate(() => window.__fake.calls.filter((c) => c.cmd === 'app_mark').map((c) => c.args));
    // Off (every user's run): another phone's change is shown, nothing is marked.
    const off = await open('home');
    await off.page.locator('[aria-label="Pause Living Room + 1"]').waitFor();
    await change(off.page, 61);
    await off.page.waitForFunction(() => document.querySelector('[data-test="group-volume"]')?.value === '61');
    assert.deepEqual(await marked(off.page), []);
    await off.close();
    // On: the shown value once the DOM holds it, then the frame after it was painted.
    const { page, close } = await open('home', { marks: true });
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === 'app_mark' && c.args.stage === 'painted'));
    const first = (await marked(page)).map((m) => m.volume);
    await change(page, 61);
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === 'app_mark' && c.args.stage === 'painted' && c.args.volume === 61));
    // A change elsewhere (another group) marks nothing new.
    await page.evaluate(() => window.__fake.publish((s) => (s.live.households[0].groups.find((g) => g.id === 'G-office').volume.volume = 5)));
    await change(page, 62);
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === 'app_mark' && c.args.stage === 'painted' && c.args.volume === 62));
    assert.deepEqual(await marked(page), [
      { stage: 'dom', group: 'G-living', volume: first[0] },
      { stage: 'painted', group: 'G-living', volume: first[0] },
      { stage: 'dom', group: 'G-living', volume: 61 },
      { stage: 'painted', group: 'G-living', volume: 61 },
      { stage: 'dom', group: 'G-living', volume: 62 },
      { stage: 'painted', group: 'G-living', volume: 62 },
    ]);
    await close();
  });

  it('the group slider sends a few requests while dragged, and the final value', async () => {
    const { page, close } = await open('home');
    const slider = page.locator('[data-test="group-volume"]');
    await slider.focus();
    // Thirty quick steps with the keyboard: one input event each.
    for (let n = 0; n < 30; n++) await slider.press('ArrowRight');
    await page.waitForFunction(() => window.__fake.snapshot.live.households[0].groups[0].volume.volume === 58);
    const sent = (await calls(page, 'setGroupVolume')).map((a) => a.volume);
    assert.equal(sent.at(-1), 58);
    assert.ok(sent.length < 30, `throttled: ${sent.length} requests for 30 steps`);
    await close();
  });

  it('regrouping asks Sonos and shows the new groups', async () => {
    const { page, close } = await open('home');
    await page.locator('[data-group="Office"] .pick').click();
    await page.locator('[data-test="open-grouping"]').click();
    await page.locator('[data-test="group-room"][data-room="Patio"]').check();
    await shoot(page, 'grouping-light');
    await page.locator('[data-test="apply-grouping"]').click();
    await page.locator('[data-group="Office + 1"]').waitFor();
    assert.deepEqual(await calls(page, 'setGroupMembers'), [{ group: 'G-office', rooms: ['P-office', 'P-patio'] }]);
    assert.equal(await page.locator('[data-group="Patio"]').count(), 0);
    await close();
  });

  it('a favorite plays now, next or at the end', async () => {
    const { page, close } = await open('home');
    await page.locator('[data-test="library-item"]').first().waitFor();
    await page.getByRole('button', { name: /^Play Harbour Lights .* now, on Living Room \+ 1$/ }).click();
    await page.getByRole('button', { name: 'More ways to play Coastline FM' }).click();
    await page.locator('[data-test="load-insertNext"]').click();
    await page.locator('[data-test="tab-playlists"]').click();
    await page.getByRole('button', { name: 'More ways to play Dinner' }).click();
    await page.locator('[data-test="load-append"]').click();
    assert.deepEqual(await calls(page, 'loadFavorite'), [
      { group: 'G-living', favorite: 'F1', load: 'replace' },
      { group: 'G-living', favorite: 'F2', load: 'insertNext' },
    ]);
    assert.deepEqual(await calls(page, 'loadPlaylist'), [{ group: 'G-living', playlist: 'L2', load: 'append' }]);
    await close();
  });

  it('a playlist shows its tracks, then plays now, next or at the end', async () => {
    const { page, close } = await open('home');
    await page.locator('[data-test="tab-playlists"]').click();
    await page.getByRole('button', { name: 'Show the tracks of Thursday Morning Mix' }).click();
    await page.locator('[data-test="playlist-track"]').first().waitFor();
    assert.deepEqual(await calls(page, 'library_playlist'), [{ household: 'Sonos_home', playlist: 'L1' }]);
    assert.equal(await page.locator('[data-test="playlist-track"]').count(), 5);
    assert.equal(await page.locator('[data-test="playlist-count"]').innerText(), '5 tracks');
    assert.match(await page.locator('[data-test="playlist-track"]').nth(1).innerText(), /Salt on the Window\s+The Low Tides · Harbour/);
    assert.equal(await calls(page, 'loadPlaylist').then((c) => c.length), 0, 'opening plays nothing');
    await page.waitForFunction(() => document.activeElement?.dataset.test === 'playlist-back'); // the focus moves into the playlist
    await page.locator('[data-test="playlist-insertNext"]').click();
    await page.locator('[data-test="playlist-append"]').click();
    await page.locator('[data-test="playlist-replace"]').click();
    assert.deepEqual(await calls(page, 'loadPlaylist'), [
      { group: 'G-living', playlist: 'L1', load: 'insertNext' },
      { group: 'G-living', playlist: 'L1', load: 'append' },
      { group: 'G-living', playlist: 'L1', load: 'replace' },
    ]);
    await page.keyboard.press('Escape');
    await page.locator('[data-test="playlist"]').waitFor({ state: 'detached' });
    // The focus goes back to the tile the playlist was opened from.
    await page.waitForFunction(() => document.activeElement?.closest('[data-test="library-item"]')?.dataset.item === 'Thursday Morning Mix');
    await close();
  });

  it('a playlist that cannot be read says why, and Try again reads it', async () => {
    const { page, close } = await open('home', { fail: ['library_playlist'] });
    await page.locator('[data-test="tab-playlists"]').click();
    await page.getByRole('button', { name: 'Show the tracks of Dinner' }).click();
    await page.locator('[data-test="playlist"] .problem').waitFor();
    assert.equal(await page.locator('[data-test="playlist-replace"]').count(), 0, 'nothing to play from a playlist not read');
    await page.evaluate(() => (window.__fake.failing = {}));
    await page.locator('[data-test="playlist"]').getByRole('button', { name: 'Try again' }).click();
    await page.locator('[data-test="playlist-track"]').first().waitFor();
    assert.equal((await calls(page, 'library_playlist')).length, 2);
    await page.locator('[data-test="playlist-back"]').click();
    await page.locator('[data-test="library-item"][data-item="Dinner"]').waitFor();
    await close();
  });

  it('a volume limit is set with its slider and read back; a fixed room has none', async () => {
    const { page, close } = await open('home');
    await page.locator('[data-test="open-room-options"]').click();
    const kitchen = page.locator('[data-test="room-limit-row"][data-room="Kitchen"]');
    await kitchen.locator('[data-test="volume-limit"]').waitFor();
    assert.equal(await kitchen.locator('[data-test="volume-limit-value"]').innerText(), 'No limit');
    await kitchen.locator('[data-test="volume-limit"]').fill('60');
    await page.waitForFunction(() => document.querySelector('[data-room="Kitchen"] [data-test="volume-limit-value"]')?.textContent === '60%');
    assert.deepEqual(await calls(page, 'setVolumeLimit'), [{ room: 'P-kitchen', percent: 60 }]);
    assert.equal((await calls(page, 'volume_room_settings')).filter((c) => c.room === 'P-kitchen').length, 2, 'read back after the change');
    // The Den's volume is fixed: no limit to set.
    await page.locator('[data-test="close-room-options"]').click();
    await page.locator('[data-group="Den"] .pick').click();
    await page.locator('[data-test="open-room-options"]').click();
    await page.locator('[data-test="limit-fixed"]').waitFor();
    assert.equal(await page.locator('[data-test="volume-limit"]').count(), 0);
    await close();
  });

  it('a refused volume limit goes back to what the room has, and says why', async () => {
    const { page, close } = await open('home', { fail: ['setVolumeLimit'] });
    await page.locator('[data-test="open-room-options"]').click();
    const kitchen = page.locator('[data-test="room-limit-row"][data-room="Kitchen"]');
    await kitchen.locator('[data-test="volume-limit"]').fill('30');
    await page.locator('[data-test="toast"]').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-room="Kitchen"] [data-test="volume-limit-value"]')?.textContent === 'No limit');
    await close();
  });

  it('a stream URL plays on the group, joins the streams played lately, and a bad one is told', async () => {
    const { page, close } = await open('home');
    await page.locator('[data-test="tab-streams"]').click();
    await page.locator('[data-test="recent-stream"]').first().waitFor();
    assert.deepEqual(await page.locator('[data-test="recent-stream"]').evaluateAll((l) => l.map((e) => e.dataset.url)), ['https://radio.example/harbour.mp3', 'http://stream.example:8000/jazz']);
    // A URL that is not one: the core's words, and nothing played.
    await page.locator('[data-test="stream-url"]').fill('radio.example/live');
    await page.locator('[data-test="stream-play"]').click();
    await page.locator('[data-test="stream-problem"]').waitFor();
    assert.match(await page.locator('[data-test="stream-problem"]').innerText(), /is not a URL/);
    // A good one, named: it plays on the group and comes first in the list.
    await page.locator('[data-test="stream-url"]').fill('https://radio.example/tides.aac');
    await page.locator('[data-test="stream-name"]').fill('Tides Radio');
    await page.locator('[data-test="stream-play"]').click();
    await page.locator('[data-test="stream-playing"]').waitFor();
    assert.deepEqual(await calls(page, 'library_play_stream'), [
      { group: 'G-living', url: 'radio.example/live', name: null },
      { group: 'G-living', url: 'https://radio.example/tides.aac', name: 'Tides Radio' },
    ]);
    assert.equal(await page.locator('[data-test="problem"], [data-test="stream-problem"]').count(), 0, 'the problem went');
    assert.match(await page.locator('[data-test="title"]').innerText(), /Tides Radio/);
    assert.equal(await page.locator('[data-test="recent-stream"]').first().getAttribute('data-url'), 'https://radio.example/tides.aac');
    assert.equal(await page.locator('[data-test="stream-url"]').inputValue(), '', 'the form is ready for another');
    // Played again from the list, then forgotten.
    await page.getByRole('button', { name: 'Play Harbour FM' }).click();
    await page.waitForFunction(() => document.querySelector('[data-test="recent-stream"]')?.dataset.url === 'https://radio.example/harbour.mp3');
    await page.getByRole('button', { name: 'Forget Harbour FM' }).click();
    await page.waitForFunction(() => !document.querySelector('[data-test="recent-stream"][data-url="https://radio.example/harbour.mp3"]'));
    await close();
  });

  it('a stream Sonos refuses is told in words by the form', async () => {
    const { page, close } = await open('home', { fail: ['library_play_stream'] });
    await page.locator('[data-test="tab-streams"]').click();
    await page.locator('[data-test="stream-url"]').fill('https://radio.example/tides.aac');
    await page.locator('[data-test="stream-play"]').click();
    await page.locator('[data-test="stream-problem"]').waitFor();
    assert.equal(await page.locator('[data-test="stream-url"]').inputValue(), 'https://radio.example/tides.aac', 'what was typed stays');
    await close();
  });

  it('a library that cannot be read says so once, and Try again reads it', async () => {
    const { page, close } = await open('home', { fail: ['library_get'] });
    await page.locator('[data-test="library"] .problem').waitFor();
    await page.locator('[data-test="tab-playlists"]').click();
    await page.locator('[data-test="tab-favorites"]').click();
    assert.equal((await calls(page, 'library_get')).length, 1, 'no retry loop');
    await page.evaluate(() => (window.__fake.failing = {}));
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.locator('[data-test="library-item"]').first().waitFor();
    assert.equal((await calls(page, 'library_get')).length, 2);
    await close();
  });

  it('keys: space, arrows, m, / and Ctrl+K', async () => {
    const { page, close } = await open('home');
    await page.locator('[data-test="now-playing"]').waitFor();
    await page.locator('body').click({ position: { x: 5, y: 700 } });
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('m');
    assert.deepEqual(await calls(page, 'toggle'), [{ group: 'G-living' }]);
    assert.deepEqual(await calls(page, 'adjustGroupVolume'), [{ group: 'G-living', delta: 2 }]);
    assert.deepEqual(await calls(page, 'setGroupMute'), [{ group: 'G-living', muted: true }]);
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-test')), 'room-search');
    await page.keyboard.type('pat');
    await page.keyboard.press('Enter');
    assert.match(await page.locator('[data-test="now-playing"]').getAttribute('aria-label'), /Patio/);
    await page.keyboard.press('Control+k');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-test')), 'room-search');
    await close();
  });

  it('settings: recorded shortcuts, checks and the step are saved; a refusal keeps the window open and says why', async () => {
    const { page, close } = await open('home');
    await page.locator('[data-test="now-playing"]').waitFor();
    await page.keyboard.press('Control+Comma');
    await page.locator('[data-test="settings-save"]').waitFor();
    await page.locator('[data-test="hotkeys-enabled"]').check();
    await page.locator('[data-test="hotkey"][data-action="next"]').click();
    await page.keyboard.press('Control+Shift+ArrowRight');
    await page.locator('[data-test="hotkey"][data-action="previous"]').click();
    await page.keyboard.press('Backspace');
    await page.locator('[data-test="notify"]').check();
    await page.locator('[data-test="start-hidden"]').check();
    await page.locator('[data-test="close-to-tray"]').selectOption({ label: 'quits Roomtone' });
    // A step the core refuses: its reason shows, nothing closes.
    await page.locator('[data-test="volume-step"]').fill('25');
    await page.locator('[data-test="settings-save"]').click();
    assert.match(await page.locator('[data-test="settings-error"]').innerText(), /^The volume step is between 1 and 20/);
    await page.locator('[data-test="volume-step"]').fill('5');
    await page.locator('[data-test="settings-save"]').click();
    await page.locator('dialog[open]').waitFor({ state: 'detached' });
    const saved = (await calls(page, 'settings_set')).at(-1).settings;
    assert.equal(saved.trayVolumeStep, 5);
    assert.equal(saved.closeToTray, false);
    assert.equal(saved.startHidden, true);
    assert.equal(saved.notifyTrackChange, true);
    assert.equal(saved.relayUrl, null);
    assert.equal(saved.redirectUri, null);
    assert.deepEqual(saved.hotkeys, { enabled: true, playPause: 'CommandOrControl+Alt+P', next: 'Ctrl+Shift+Right', previous: '', volumeUp: 'CommandOrControl+Alt+Up', volumeDown: 'CommandOrControl+Alt+Down', mute: 'CommandOrControl+Alt+M' });
    // While the settings are open, the app's keys do not act on the rooms.
    assert.deepEqual(await calls(page, 'adjustGroupVolume'), []);
    // Reopened: what was saved.
    await page.locator('[data-test="open-settings"]').click();
    assert.equal(await page.locator('[data-test="volume-step"]').inputValue(), '5');
    assert.equal(await page.locator('[data-test="hotkey"][data-action="next"]').inputValue(), 'Ctrl+Shift+Right');
    // Escape leaves without saving.
    await page.locator('[data-test="volume-step"]').fill('9');
    await page.keyboard.press('Escape');
    await page.locator('dialog[open]').waitFor({ state: 'detached' });
    assert.equal((await calls(page, 'settings_set')).length, 2);
    await close();
  });

  it('settings on Wayland: the window waits for the desktop to answer for the hotkeys, then closes', async () => {
    const { page, close } = await open('home');
    await page.evaluate(() => (window.__fake.portal = true));
    await page.locator('[data-test="open-settings"]').click();
    await page.locator('[data-test="hotkeys-enabled"]').check();
    await page.locator('[data-test="settings-save"]').click();
    await page.locator('[data-test="hotkeys-via"][role="status"]').waitFor();
    assert.equal(await page.locator('dialog[open]').count(), 1, 'open while the desktop is asked');
    await page.evaluate(() => window.__fake.answerHotkeys("Bound by the desktop's global-shortcuts portal: play/pause Ctrl+Alt+P.", []));
    await page.locator('dialog[open]').waitFor({ state: 'detached' });
    // Reopened: how the hotkeys work; saved again unchanged, nothing is asked and it closes.
    await page.locator('[data-test="open-settings"]').click();
    assert.match(await page.locator('[data-test="hotkeys-via"]').innerText(), /^Bound by the desktop's global-shortcuts portal/);
    await page.locator('[data-test="settings-save"]').click();
    await page.locator('dialog[open]').waitFor({ state: 'detached' });
    await close();
  });

  it('settings: the client secret goes to the keychain command only and is never shown again', async () => {
    const { page, close } = await open('home');
    await page.locator('[data-test="open-settings"]').click();
    await page.locator('[data-test="mode-direct"]').check();
    await page.locator('[data-test="client-secret"]').fill('s3cret-value');
    await page.locator('[data-test="save-secret"]').click();
    await page.locator('[data-test="remove-secret"]').waitFor();
    assert.deepEqual(await calls(page, 'settings_set_client_secret'), [{ secret: 's3cret-value' }]);
    assert.equal(await page.locator('[data-test="client-secret"]').inputValue(), '');
    assert.equal(await page.locator('[data-test="client-secret"]').getAttribute('placeholder'), 'Saved in your keychain');
    assert.ok(!(await page.content()).includes('s3cret-value'), 'the secret is not in the page');
    // Direct mode without a redirect URI is refused before anything is sent.
    await page.locator('[data-test="settings-save"]').click();
    assert.match(await page.locator('[data-test="settings-error"]').innerText(), /needs your integration/);
    assert.equal((await calls(page, 'settings_set')).length, 0);
    await close();
  });

  it('pause everything pauses every group that plays in the household shown, then has nothing to do', async () => {
    const { page, close } = await open('home');
    const button = page.locator('[data-test="pause-all"]');
    assert.equal(await button.isEnabled(), true);
    await button.click();
    assert.deepEqual(await calls(page, 'pauseAll'), [{ household: 'Sonos_home' }]);
    await page.waitForFunction(() => document.querySelector('[data-test="pause-all"]')?.disabled === true);
    assert.equal(await button.getAttribute('title'), 'Nothing plays');
    assert.equal(await page.locator('[data-test="group"] [aria-label^="Pause "]').count(), 0, 'no group offers pause');
    await close();
  });

  it('a sleep timer is set from the window, says the time left, fades and turns off; a station has no end of track', async () => {
    const { page, close } = await open('home');
    const group = await page.evaluate(() => window.__fake.snapshot.live.households[0].groups[0]);
    await page.locator(`[data-test="now-playing"][aria-label="Now playing in ${group.name}"]`).waitFor();
    await page.getByRole('button', { name: 'Sleep in 30 min' }).click();
    assert.deepEqual(await calls(page, 'sleep'), [{ group: group.id, after: { kind: 'minutes', minutes: 30 } }]);
    const left = page.locator('[data-test="sleep-left"]');
    await left.waitFor();
    assert.match(await left.innerText(), /^Sleeps at \d{1,2}:\d{2}( [AP]M)? · 30 min left$/);
    // The core counts down and fades; the window shows what it says.
    await page.evaluate(() => window.__fake.publish((s) => Object.assign(s.live.sleep[0], { minutesLeft: 0, fading: true, left: 'fading out' })));
    await page.waitForFunction(() => document.querySelector('[data-test="sleep-left"]')?.textContent?.trim() === 'Fading out…');
    await page.getByRole('button', { name: 'Turn off the sleep timer' }).click();
    await left.waitFor({ state: 'detached' });
    assert.deepEqual((await calls(page, 'sleep')).at(-1), { group: group.id, after: { kind: 'off' } });
    // The Den plays a station: no end of track to sleep at.
    await page.locator('[data-group="Den"] .pick').click();
    await page.locator('[data-test="now-playing"][aria-label="Now playing in Den"]').waitFor();
    assert.equal(await page.locator('[data-test="sleep-end"]').isDisabled(), true);
    assert.equal(await page.locator('[data-test="sleep-end"]').getAttribute('title'), 'A live stream has no end to sleep at');
    await close();
  });

  it('a chime rings in a room that can, its status follows, and a room that cannot says why', async () => {
    const { page, close } = await open('home');
    const kitchen = page.getByRole('button', { name: 'Ring a chime in Kitchen' });
    await kitchen.click();
    assert.deepEqual(await calls(page, 'chime'), [{ room: 'P-kitchen', url: null, volume: null }]);
    const status = page.locator('[data-test="chime-status"][data-room="Kitchen"]');
    await status.waitFor();
    assert.equal(await status.innerText(), 'Ringing…');
    // Sonos's event says it is done; then another ends in an error, told in words.
    const set = (change) => page.evaluate((c) => window.__fake.publish((s) => Object.assign(s.live.chimes[0], c)), change);
    await set({ status: 'done' });
    await page.waitForFunction(() => document.querySelector('[data-test="chime-status"][data-room="Kitchen"]')?.textContent === 'Rang');
    await set({ status: 'failed', problem: 'the speaker could not play the sound: is it an MP3 or WAV file it can reach?' });
    await page.waitForFunction(() => document.querySelector('[data-test="chime-status"][data-room="Kitchen"]')?.textContent?.startsWith('Did not ring: the speaker could not play'));
    await set({ status: 'ringing', followed: false });
    await page.waitForFunction(() => document.querySelector('[data-test="chime-status"][data-room="Kitchen"]')?.textContent === 'Sent', null, {}, 'not followed: sent, not ringing');
    // The Den's speaker takes no chimes: no button, and the row says so.
    await page.locator('[data-group="Den"] .pick').click();
    await page.locator('[data-test="no-chime"]').waitFor();
    assert.equal(await page.locator('[data-test="no-chime"]').innerText(), 'Den: its speaker takes no chimes');
    assert.equal(await page.locator('[data-test="chime"]').count(), 0);
    await close();
  });

  it("a home-theater room's TV, night mode and speech enhancement; a room's line-in", async () => {
    const { page, close } = await open('home');
    await page.locator('[data-test="sources"]').waitFor();
    await page.locator('[data-test="night-mode"]:not([disabled])').check();
    assert.deepEqual(await calls(page, 'setTheaterOptions'), [{ room: 'P-living', options: { nightMode: true, enhanceDialog: false } }]);
    await page.locator('[data-test="play-tv"]').click();
    assert.deepEqual(await calls(page, 'playTv'), [{ room: 'P-living' }]);
    await page.getByRole('button', { name: 'Turn the TV on' }).click();
    await page.getByRole('button', { name: 'Turn the TV off' }).click();
    assert.deepEqual(await calls(page, 'setTvPower'), [
      { room: 'P-living', on: true },
      { room: 'P-living', on: false },
    ]);
    await page.locator('[data-group="Office"] .pick').click();
    await page.locator('[data-test="play-line-in"]').click();
    assert.deepEqual(await calls(page, 'playLineIn'), [{ group: 'G-office', room: 'P-office' }]);
    await close();
  });

  it('seek and play modes follow what the source allows', async () => {
    const { page, close } = await open('home');
    await page.locator('[data-test="now-playing"]').waitFor();
    await page.locator('[data-test="mode-shuffle"]').click();
    assert.deepEqual(await calls(page, 'setPlayMode'), [{ group: 'G-living', mode: 'shuffle', on: true }]);
    const seek = page.locator('[data-test="seek"]');
    const box = await seek.boundingBox();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const [{ positionMillis }] = await calls(page, 'seek');
    assert.ok(Math.abs(positionMillis - 128_000) < 8_000, `seeked to the middle: ${positionMillis}`);
    // Podcasts and audiobooks: 15 s back and forward, left to the core to place.
    await page.getByRole('button', { name: 'Back 15 seconds' }).click();
    await page.getByRole('button', { name: 'Forward 15 seconds' }).click();
    assert.deepEqual(await calls(page, 'seekBy'), [
      { group: 'G-living', deltaMillis: -15_000 },
      { group: 'G-living', deltaMillis: 15_000 },
    ]);
    // The Den's radio allows neither: the controls are off.
    await page.locator('[data-group="Den"] .pick').click();
    assert.equal(await page.locator('[data-test="mode-shuffle"]').isDisabled(), true);
    assert.equal(await page.locator('[data-test="next"]').isDisabled(), true);
    assert.equal(await page.locator('[data-test="back-15"], [data-test="forward-15"]').count(), 0, 'a station cannot skip 15 s');
    assert.equal(await page.locator('[data-test="fixed"]').count(), 1, 'a fixed volume is said, not a slider');
    await close();
  });
});
