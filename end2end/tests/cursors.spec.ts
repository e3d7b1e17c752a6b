// Peers' pointers: a hovering user's cursor reaches the others; while drawing, the live
// stroke carries it (the pen's last point), so no separate cursor message goes out.
import { test, expect } from './base';
import type { Page } from '@playwright/test';
import { beginStroke, board, gotoBoard, newRoom, openBoard, status } from './helpers';

/** How far (px) from `[x, y]` Bob's board places Alice's cursor (the board's box may sit
 *  at a fraction of a pixel); both views are on the default camera: board = screen units. */
function cursorOffBy(bob: Page) {
  const alicesCursor = bob.locator('[data-testid=cursor][data-peer-name="Alice"]');
  return async ([x, y]: [number, number]) => {
    const style = (await alicesCursor.getAttribute('style')) ?? '';
    const at = /translate\(([-\d.]+)px, ([-\d.]+)px\)/.exec(style);
    return at ? Math.hypot(Number(at[1]) - x, Number(at[2]) - y) : Infinity;
  };
}

test('a cursor follows the pointer, and the pen while drawing without cursor messages', async ({ browser }) => {
  const room = newRoom();
  const context = await browser.newContext();
  const a = await context.newPage();
  const sent: string[] = [];
  a.on('websocket', (ws) => ws.on('framesent', (frame) => sent.push(String(frame.payload))));
  await gotoBoard(a, room, 'Alice');
  const b = (await openBoard(browser, room, 'Bob')).page;
  const alicesCursor = b.locator('[data-testid=cursor][data-peer-name="Alice"]');
  const offBy = cursorOffBy(b);

  // Hovering: cursor messages.
  const box = (await board(a).boundingBox())!;
  await a.mouse.move(box.x + 100, box.y + 100);
  await a.mouse.move(box.x + 120, box.y + 110);
  await expect(alicesCursor).toHaveCount(1);
  await expect.poll(() => offBy([120, 110])).toBeLessThan(2);

  // Drawing: the live batches move the cursor; no cursor message between down and up.
  const before = sent.length;
  await beginStroke(a, [60, 60], [300, 140], 24);
  await expect.poll(() => offBy([300, 140])).toBeLessThan(2);
  await a.mouse.up();
  const types = sent.slice(before).map((frame) => JSON.parse(frame).type);
  // From the stroke's first live batch to its op (the hover to its start may precede it).
  const whileDrawing = types.slice(types.indexOf('liveStroke'), types.indexOf('op'));
  expect(whileDrawing.length).toBeGreaterThan(10);
  expect(whileDrawing).not.toContain('cursor');
});

test('on a slow link the last pointer position and the last points of a held pen still reach the peer', async ({ browser }) => {
  const room = newRoom();
  const a = await (await browser.newContext()).newPage();
  await a.goto(`/b/${room}?name=Alice&devtools=1`);
  await expect(a.locator('main')).toHaveAttribute('data-hydrated', 'true');
  await expect(status(a)).toHaveAttribute('data-state', 'connected');
  const b = (await openBoard(browser, room, 'Bob')).page;
  const offBy = cursorOffBy(b);
  // Slow 3G: cursor positions and live batches go out at most every 250 ms.
  await a.getByTestId('netsim-slow').click();
  await expect(status(a)).toHaveAttribute('data-quality-level', 'minimal', { timeout: 10_000 });

  // Two moves well within one interval, then the pointer rests: the second position must
  // still go out once the interval is over, not wait for a move that may never come.
  const box = (await board(a).boundingBox())!;
  await a.mouse.move(box.x + 100, box.y + 100);
  await a.mouse.move(box.x + 200, box.y + 150);
  await expect.poll(() => offBy([200, 150]), { timeout: 10_000 }).toBeLessThan(2);

  // The same for a stroke held still before the pen lifts: its last points reach the peer
  // (whose cursor follows the live stroke) while the button is still down.
  await beginStroke(a, [60, 200], [320, 260], 6);
  await expect.poll(() => offBy([320, 260]), { timeout: 10_000 }).toBeLessThan(2);
  await a.mouse.up();
});
