// Peers' pointers: a hovering user's cursor reaches the others; while drawing, the live
// stroke carries it (the pen's last point), so no separate cursor message goes out.
import { test, expect } from '@playwright/test';
import { beginStroke, board, gotoBoard, newRoom, openBoard } from './helpers';

test('a cursor follows the pointer, and the pen while drawing without cursor messages', async ({ browser }) => {
  const room = newRoom();
  const context = await browser.newContext();
  const a = await context.newPage();
  const sent: string[] = [];
  a.on('websocket', (ws) => ws.on('framesent', (frame) => sent.push(String(frame.payload))));
  await gotoBoard(a, room, 'Alice');
  const b = (await openBoard(browser, room, 'Bob')).page;
  const alicesCursor = b.locator('[data-testid=cursor][data-peer-name="Alice"]');
  // Where Bob's board places it (both views on the default camera: board = screen units).
  // How far (px) from `[x, y]` Bob's board places it (the board's box may sit at a
  // fraction of a pixel); both views are on the default camera: board = screen units.
  const offBy = async ([x, y]: [number, number]) => {
    const style = (await alicesCursor.getAttribute('style')) ?? '';
    const at = /translate\(([-\d.]+)px, ([-\d.]+)px\)/.exec(style);
    return at ? Math.hypot(Number(at[1]) - x, Number(at[2]) - y) : Infinity;
  };

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
