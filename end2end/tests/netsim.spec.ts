// The dev-tools network simulator (`?devtools=1`, Ctrl+Shift+D): each mode acts inside
// the app's own transports, the chip shows what a user on such a network would see, and
// after Reset both people's boards agree — nothing lost, nothing doubled.
import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import { board, drawStroke, expectConverged, gotoBoard, newRoom, openBoard, pageWithoutWebSockets, reconnectAttempts, status } from './helpers';
import { violations } from './axe';

test.use({
  serverEnv: {
    TETHER_BACKOFF_BASE_MS: '300',
    TETHER_BACKOFF_CAP_MS: '2000',
    TETHER_HANDSHAKE_TIMEOUT_MS: '3000',
    TETHER_WS_PROBE_INTERVAL_MS: '2000',
    TETHER_POLL_HOLD_MS: '5000',
    // Should loss ever wear out every attempt, the quiet retry comes soon.
    TETHER_QUIET_RETRY_MS: '3000',
  },
});

const panel = (page: Page) => page.getByTestId('netsim');

/** Alice opens the board with the simulator shown; Bob joins without it. */
async function alicesLab(browser: import('@playwright/test').Browser, baseURL: string) {
  const room = newRoom();
  const context = await browser.newContext({ baseURL });
  const a = await context.newPage();
  await a.goto(`/b/${room}?name=Alice&devtools=1`);
  await expect(a.locator('main')).toHaveAttribute('data-hydrated', 'true');
  await expect(status(a)).toHaveAttribute('data-state', 'connected');
  const b = (await openBoard(browser, room, 'Bob', baseURL)).page;
  await drawStroke(a, 0);
  await expectConverged([a, b], 1);
  return { a, b };
}

async function simulate(page: Page, mode: 'offline' | 'online' | 'slow' | 'lossy' | 'blackhole' | 'reset') {
  await page.getByTestId(`netsim-${mode}`).click();
  await expect(panel(page)).toHaveAttribute('data-mode', mode === 'reset' ? 'online' : mode);
}

test('offline: the chip says so, strokes wait, and going online delivers them', async ({ browser, server }) => {
  const { a, b } = await alicesLab(browser, server.baseURL);
  await simulate(a, 'offline');
  await expect(status(a)).toHaveAttribute('data-state', 'offline');
  await expect(a.getByTestId('toast').filter({ hasText: /offline|lost/i })).toHaveCount(1);
  await drawStroke(a, 1);
  await drawStroke(a, 2);
  await expect(status(a)).toHaveAttribute('data-pending', '2');
  await drawStroke(b, 3);
  // Nothing leaks through a simulated offline network, either way.
  await expect(b.getByTestId('board')).toHaveAttribute('data-stroke-count', '2');
  await expect(a.getByTestId('board')).toHaveAttribute('data-stroke-count', '3');

  await simulate(a, 'online');
  await expect(status(a)).toHaveAttribute('data-state', 'connected');
  await expectConverged([a, b], 4);
});

test('slow 3G: degraded with minimal stroke detail, strokes still arrive; reset restores', async ({ browser, server }) => {
  const { a, b } = await alicesLab(browser, server.baseURL);
  await simulate(a, 'slow');
  // The switch probes the link at once: a 2 s round trip is measured.
  await expect(status(a)).toHaveAttribute('data-state', 'degraded', { timeout: 10_000 });
  await expect(status(a)).toHaveAttribute('data-quality-level', 'minimal');
  expect(Number(await status(a).getAttribute('data-rtt-ms'))).toBeGreaterThanOrEqual(2_000);
  await drawStroke(a, 1);
  await drawStroke(b, 2);
  await expectConverged([a, b], 3);

  await simulate(a, 'reset');
  await expect(status(a)).toHaveAttribute('data-state', 'connected', { timeout: 10_000 });
  expect(Number(await status(a).getAttribute('data-rtt-ms'))).toBeLessThan(1_000);
  await drawStroke(a, 3);
  await expectConverged([a, b], 4);
});

test('lossy: stalled frames keep their order and every stroke arrives once', async ({ browser, server }) => {
  const { a, b } = await alicesLab(browser, server.baseURL);
  await simulate(a, 'lossy');
  for (let i = 1; i <= 6; i++) await drawStroke(a, i);
  await drawStroke(b, 8);
  await expectConverged([a, b], 8);
  await simulate(a, 'reset');
  await expect(status(a)).toHaveAttribute('data-state', 'connected', { timeout: 10_000 });
  await drawStroke(a, 9);
  await expectConverged([a, b], 9);
});

test('black hole: noticed while drawing, reconnecting until reset, then nothing lost', async ({ browser, server }) => {
  const { a, b } = await alicesLab(browser, server.baseURL);
  await simulate(a, 'blackhole');
  const drewAt = Date.now();
  await drawStroke(a, 1);
  await expect(status(a)).toHaveAttribute('data-state', 'reconnecting', { timeout: 6_000 });
  expect(Date.now() - drewAt).toBeLessThanOrEqual(6_000);
  // New connections hang in the black hole: it stays that way, the stroke pending.
  await expect(status(a)).toHaveAttribute('data-pending', '1');
  await drawStroke(b, 2);
  await expect(b.getByTestId('board')).toHaveAttribute('data-stroke-count', '2');

  await simulate(a, 'reset');
  await expect(status(a)).toHaveAttribute('data-state', 'connected', { timeout: 10_000 });
  await expectConverged([a, b], 3);
});

test('lossy on the polling fallback: failed requests reconnect, nothing is lost or doubled', async ({ browser, server }) => {
  const room = newRoom();
  const { page: a } = await pageWithoutWebSockets(browser, server.baseURL);
  await a.goto(`/b/${room}?name=Alice&devtools=1`);
  await expect(status(a)).toHaveAttribute('data-transport', 'polling', { timeout: 20_000 });
  await expect(status(a)).toHaveAttribute('data-state', 'degraded');
  const b = (await openBoard(browser, room, 'Bob', server.baseURL)).page;
  const before = await reconnectAttempts(a);

  await simulate(a, 'lossy');
  await drawStroke(b, 49);
  // One polling request in ten fails, and then the client reconnects (resuming its
  // session). Alice draws until that has happened, one stroke at a time: strokes drawn
  // in a burst would share one request, so each must reach Bob and be confirmed to her
  // before the next — at least a send and a new poll each. Forty strokes are at least
  // eighty requests: all of them getting through has a chance of 0.9^80 ≈ 0.02 %.
  let drawn = 0;
  while (drawn < 40 && (await reconnectAttempts(a)) <= before) {
    await drawStroke(a, drawn++);
    await expect(board(b)).toHaveAttribute('data-stroke-count', String(drawn + 1), { timeout: 15_000 });
    await expect(status(a)).toHaveAttribute('data-pending', '0', { timeout: 15_000 });
  }
  expect(await reconnectAttempts(a)).toBeGreaterThan(before);
  await expectConverged([a, b], drawn + 1);

  await simulate(a, 'reset');
  await expect(status(a)).toHaveAttribute('data-state', 'degraded');
  await expect(status(a)).toHaveAttribute('data-transport', 'polling');
  await drawStroke(a, drawn);
  await expectConverged([a, b], drawn + 2);
});

test('the panel is hidden without ?devtools=1 and Ctrl+Shift+D shows and hides it', async ({ browser, server }) => {
  const context = await browser.newContext({ baseURL: server.baseURL });
  const page = await context.newPage();
  await gotoBoard(page, newRoom(), 'Dev');
  await expect(panel(page)).toHaveCount(0);
  await page.keyboard.press('Control+Shift+D');
  await expect(panel(page)).toBeVisible();
  await expect(panel(page)).toHaveAttribute('data-mode', 'online');
  expect(await violations(page)).toEqual([]);
  await simulate(page, 'offline');
  await expect(status(page)).toHaveAttribute('data-state', 'offline');
  // Hidden, it keeps simulating (like the browser's own dev tools)…
  await page.keyboard.press('Control+Shift+D');
  await expect(panel(page)).toHaveCount(0);
  await expect(status(page)).toHaveAttribute('data-state', 'offline');
  // …and shown again, it says so.
  await page.keyboard.press('Control+Shift+D');
  await expect(panel(page)).toHaveAttribute('data-mode', 'offline');
  await simulate(page, 'online');
  await expect(status(page)).toHaveAttribute('data-state', 'connected');
  // Phones have no keyboard shortcut: the panel hides from its own button.
  await page.getByTestId('netsim-hide').click();
  await expect(panel(page)).toHaveCount(0);
});

test('the metrics panel shows the network, bytes per second and bytes per stroke', async ({ browser, server }) => {
  const context = await browser.newContext({ baseURL: server.baseURL });
  const page = await context.newPage();
  await gotoBoard(page, newRoom(), 'Meter');
  await page.getByTestId('metrics-toggle').click();
  const panel = page.getByTestId('metrics-panel');
  await expect(panel.getByTestId('bytes-per-stroke')).toHaveAttribute('data-value', '');
  // Chromium reports the Network Information API.
  await expect(panel.getByTestId('network-type')).toHaveAttribute('data-value', /^(slow-2g|2g|3g|4g)$/);
  await drawStroke(page, 0);
  await drawStroke(page, 1);
  await expect(status(page)).toHaveAttribute('data-pending', '0');
  // A short stroke's op, packed: well under 300 bytes (protocol 1 took about 3×).
  await expect(panel.getByTestId('bytes-per-stroke')).toHaveAttribute('data-value', /^[1-2]?\d\d$/);
  await expect.poll(async () => Number(await panel.getByTestId('bytes-per-second').getAttribute('data-out'))).toBeGreaterThan(0);
  // Idle (only the heartbeat), the rate falls back within the window.
  await expect.poll(async () => Number(await panel.getByTestId('bytes-per-second').getAttribute('data-out')), { timeout: 15_000 }).toBeLessThan(100);
  // The chip's popover says the same.
  await status(page).click();
  const popover = page.getByTestId('connection-details');
  await expect(popover.getByTestId('bytes-per-stroke')).toHaveAttribute('data-value', /^[1-2]?\d\d$/);
  await expect(popover.getByTestId('network-type')).toHaveAttribute('data-value', /^(slow-2g|2g|3g|4g)$/);
  expect(await violations(page)).toEqual([]);
});
