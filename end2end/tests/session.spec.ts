// Sessions that survive a reload, and tabs that leave at once: a reload resumes the same
// session (the peer never sees a second copy), and a closed tab is seen leaving within 2 s
// (the page says `unloading` on `pagehide`).
import { test, expect } from './base';
import type { Page } from '@playwright/test';
import { gotoBoard, newRoom, openBoard, status } from './helpers';
import { NetworkControl } from './network';

const peer = (page: Page, name: string) => page.locator(`[data-testid="peer"][data-peer-name="${name}"]`);

/** Presence messages a page receives, by type. */
function presenceLog(page: Page): string[] {
  const seen: string[] = [];
  page.on('websocket', (ws) =>
    ws.on('framereceived', (frame) => {
      const type = /^\{"type":"(peer\w+)"/.exec(String(frame.payload))?.[1];
      if (type) seen.push(type);
    }),
  );
  return seen;
}

test('a reload resumes the session: the peer sees one entry, never a second copy', async ({ browser }) => {
  const room = newRoom();
  const ann = await openBoard(browser, room, 'Ann');
  const ben = await openBoard(browser, room, 'Ben');
  await expect(peer(ben.page, 'Ann')).toHaveAttribute('data-peer-state', 'active');
  const welcomes: Array<{ resumed: boolean; session: string }> = [];
  ann.page.on('websocket', (ws) =>
    ws.on('framereceived', (frame) => {
      const payload = String(frame.payload);
      if (payload.startsWith('{"type":"welcome"')) welcomes.push(JSON.parse(payload));
    }),
  );
  const seenByBen = presenceLog(ben.page);

  await ann.page.reload();
  await expect(status(ann.page)).toHaveAttribute('data-state', 'connected');
  await expect.poll(() => welcomes.length).toBe(1);
  expect(welcomes[0].resumed).toBe(true);
  await expect(peer(ben.page, 'Ann')).toHaveCount(1);
  await expect(peer(ben.page, 'Ann')).toHaveAttribute('data-peer-state', 'active');
  expect(seenByBen.filter((t) => t === 'peerJoined' || t === 'peerLeft')).toEqual([]);
});

test('closing a tab: the peer sees the user leave within 2 s', async ({ browser }) => {
  const room = newRoom();
  const ann = await openBoard(browser, room, 'Ann');
  const ben = await openBoard(browser, room, 'Ben');
  await expect(peer(ben.page, 'Ann')).toHaveCount(1);
  await ann.page.close({ runBeforeUnload: true });
  await expect(peer(ben.page, 'Ann')).toHaveCount(0, { timeout: 2_000 });
});

test('closing a tab on the polling fallback: a beacon says so, the peer sees it leave within 2 s', async ({ browser }) => {
  const room = newRoom();
  const context = await browser.newContext();
  const page = await context.newPage();
  const net = await NetworkControl.install(page);
  net.mode = { kind: 'refuse' }; // a proxy that blocks WebSockets
  await page.goto(`/b/${room}?name=Ann`);
  await expect(status(page)).toHaveAttribute('data-transport', 'polling');
  await expect(status(page)).toHaveAttribute('data-state', 'degraded');
  const ben = await openBoard(browser, room, 'Ben');
  await expect(peer(ben.page, 'Ann')).toHaveCount(1);
  await page.close({ runBeforeUnload: true });
  await expect(peer(ben.page, 'Ann')).toHaveCount(0, { timeout: 2_000 });
});
