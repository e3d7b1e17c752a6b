// Shared steps for board tests: open a board as a named user, draw with the mouse, and
// wait until clients agree. Every wait is a condition, never a fixed sleep.
import { expect, type Browser, type Page, type BrowserContext } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { NetworkControl } from './network';

/** A fresh room id, so tests never see each other's strokes. */
export function newRoom(): string {
  return randomBytes(12).toString('hex');
}

export interface Client {
  context: BrowserContext;
  page: Page;
}

/** Opens `/b/{room}?name=` in its own browser context and waits until it is connected.
 *  `baseURL` defaults to the config's (shared) server. */
export async function openBoard(browser: Browser, room: string, name: string, baseURL?: string): Promise<Client> {
  const context = await browser.newContext(baseURL ? { baseURL } : {});
  const page = await context.newPage();
  await gotoBoard(page, room, name);
  return { context, page };
}

/** Two users on a fresh board of the server at `baseURL`: Alice (`a`), whose sockets and
 *  polls go through a NetworkControl (`net`), and Bob (`b`). */
export async function pairThroughNetwork(browser: Browser, baseURL: string) {
  const room = newRoom();
  const context = await browser.newContext({ baseURL });
  const a = await context.newPage();
  const net = await NetworkControl.install(a);
  await gotoBoard(a, room, 'Alice');
  const b = (await openBoard(browser, room, 'Bob', baseURL)).page;
  return { room, a, b, context, net };
}

/** A fresh context and page on `baseURL` whose WebSockets are refused (as by a proxy
 *  that blocks them), so the app has to fall back to polling. */
export async function pageWithoutWebSockets(browser: Browser, baseURL: string) {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  const net = await NetworkControl.install(page);
  net.mode = { kind: 'refuse' };
  return { context, page, net };
}

export async function gotoBoard(page: Page, room: string, name: string) {
  await page.goto(`/b/${room}?name=${encodeURIComponent(name)}`);
  await expect(page.locator('main')).toHaveAttribute('data-hydrated', 'true');
  await expect(status(page)).toHaveAttribute('data-state', 'connected');
}

/** The reconnect attempts the metrics panel counts (opened and closed again to read it). */
export async function reconnectAttempts(page: Page): Promise<number> {
  await page.getByTestId('metrics-toggle').click();
  const text = await page.getByTestId('metrics-panel').textContent();
  await page.getByTestId('metrics-toggle').click();
  return Number(/Reconnect attempts(\d+)/.exec(text ?? '')?.[1] ?? 0);
}

export const board = (page: Page) => page.getByTestId('board');
export const status = (page: Page) => page.getByTestId('connection-status');

/** Presses the mouse at `from` (relative to the board) and moves in `steps` to `to`. */
export async function beginStroke(page: Page, from: [number, number], to: [number, number], steps = 8) {
  const box = (await board(page).boundingBox())!;
  await page.mouse.move(box.x + from[0], box.y + from[1]);
  await page.mouse.down();
  for (let i = 1; i <= steps; i++) {
    const t = i / steps;
    await page.mouse.move(box.x + from[0] + (to[0] - from[0]) * t, box.y + from[1] + (to[1] - from[1]) * t);
  }
}

/** One complete stroke with the mouse; `index` spreads strokes over the board. */
export async function drawStroke(page: Page, index = 0) {
  const y = 40 + (index % 10) * 25;
  const x = 30 + Math.floor(index / 10) * 120;
  await beginStroke(page, [x, y], [x + 90, y + 10]);
  await page.mouse.up();
}

/** Waits until every page shows `count` strokes, nothing pending, and the same hash. */
export async function expectConverged(pages: Page[], count: number) {
  for (const page of pages) {
    await expect(board(page)).toHaveAttribute('data-stroke-count', String(count));
    await expect(status(page)).toHaveAttribute('data-pending', '0');
  }
  const seq = await board(pages[0]).getAttribute('data-seq');
  const hash = await board(pages[0]).getAttribute('data-doc-hash');
  for (const page of pages.slice(1)) {
    await expect(board(page)).toHaveAttribute('data-seq', seq!);
    await expect(board(page)).toHaveAttribute('data-doc-hash', hash!);
  }
}
