// Undo and redo of one's own actions — add, erase, clear — as durable ops: they reach the
// other browser like any change, an undo made offline is queued and survives a reload,
// and the history itself survives the reload too.
import { test, expect } from './base';
import type { Browser } from '@playwright/test';
import { beginStroke, board, drawStroke, expectConverged, gotoBoard, newRoom, openBoard, status } from './helpers';
import { NetworkControl } from './network';

async function openWithNetwork(browser: Browser, room: string, name: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const net = await NetworkControl.install(page);
  await gotoBoard(page, room, name);
  return { context, page, net };
}

test('undo and redo of an added stroke, an eraser drag and a clear reach the other browser', async ({ browser }) => {
  const room = newRoom();
  const a = await openBoard(browser, room, 'Alice');
  const b = await openBoard(browser, room, 'Bob');
  await expect(a.page.getByTestId('undo')).toBeDisabled();
  await expect(a.page.getByTestId('redo')).toBeDisabled();
  await drawStroke(a.page, 0); // y = 40
  await drawStroke(b.page, 4); // y = 140, Bob's
  await drawStroke(a.page, 8); // y = 240
  await expectConverged([a.page, b.page], 3);

  // Add: undo takes Alice's newest stroke away, redo brings it back.
  await a.page.getByTestId('undo').click();
  await expectConverged([a.page, b.page], 2);
  await a.page.getByTestId('redo').click();
  await expectConverged([a.page, b.page], 3);
  await expect(a.page.getByTestId('redo')).toBeDisabled();

  // Erase: one drag across Alice's first stroke and Bob's is one step.
  await a.page.getByTestId('eraser').click();
  await beginStroke(a.page, [60, 10], [60, 180]);
  await a.page.mouse.up();
  await expectConverged([a.page, b.page], 1);
  await a.page.keyboard.press('Control+z');
  await expectConverged([a.page, b.page], 3);
  await a.page.keyboard.press('Control+Shift+z');
  await expectConverged([a.page, b.page], 1);
  await a.page.keyboard.press('Control+z');
  await expectConverged([a.page, b.page], 3);

  // Clear: undo brings back everything it removed, Bob's work included.
  a.page.once('dialog', (dialog) => dialog.accept());
  await a.page.getByTestId('clear').click();
  await expectConverged([a.page, b.page], 0);
  await a.page.getByTestId('undo').click();
  await expectConverged([a.page, b.page], 3);
  await a.page.getByTestId('redo').click();
  await expectConverged([a.page, b.page], 0);
  await a.page.getByTestId('undo').click();
  await expectConverged([a.page, b.page], 3);
});

test('an undo made offline is queued, survives a reload, and syncs; redo still works after it', async ({ browser }) => {
  const room = newRoom();
  const a = await openWithNetwork(browser, room, 'Alice');
  const b = await openBoard(browser, room, 'Bob');
  await drawStroke(a.page, 0);
  await drawStroke(a.page, 1);
  await expectConverged([a.page, b.page], 2);

  a.net.mode = { kind: 'offline' };
  await a.net.cut();
  await expect(status(a.page)).not.toHaveAttribute('data-state', 'connected');
  await a.page.getByTestId('undo').click();
  await expect(board(a.page)).toHaveAttribute('data-stroke-count', '1');
  await expect(status(a.page)).toHaveAttribute('data-pending', '1');
  await expect(board(b.page)).toHaveAttribute('data-stroke-count', '2');

  await a.page.reload();
  await expect(a.page.locator('main')).toHaveAttribute('data-hydrated', 'true');
  await expect(status(a.page)).toHaveAttribute('data-pending', '1');
  await expect(board(a.page)).toHaveAttribute('data-stroke-count', '1');

  a.net.mode = { kind: 'pass' };
  await a.page.getByTestId('retry-now').click();
  await expectConverged([a.page, b.page], 1);
  // The tab kept its history: redo brings the stroke back.
  await expect(a.page.getByTestId('redo')).toBeEnabled();
  await a.page.getByTestId('redo').click();
  await expectConverged([a.page, b.page], 2);
});

test('a history too big for the storage of the tab keeps its newest steps across a reload', async ({ browser }) => {
  const room = newRoom();
  const a = await openBoard(browser, room, 'Alice');
  // Fill this tab's sessionStorage, then free about 4 000 characters: room for some of
  // the history below, not all of it.
  const freed = await a.page.evaluate(() => {
    for (const size of [1 << 20, 1 << 16, 1 << 12, 1 << 8]) {
      const filler = 'x'.repeat(size);
      try {
        for (let n = 0; ; n++) sessionStorage.setItem(`filler:${size}:${n}`, filler);
      } catch {
        // full at this size: go on with smaller pieces
      }
    }
    const key = 'filler:4096:0';
    const had = sessionStorage.getItem(key) !== null;
    sessionStorage.removeItem(key);
    return had;
  });
  expect(freed).toBe(true);
  const strokes = 30;
  for (let i = 0; i < strokes; i++) await drawStroke(a.page, i);
  await expect(board(a.page)).toHaveAttribute('data-stroke-count', String(strokes));
  await expect(status(a.page)).toHaveAttribute('data-pending', '0');
  const kept = await a.page.evaluate(
    (key) => (sessionStorage.getItem(key) ?? '').length,
    `tether:history:${room}`,
  );
  expect(kept).toBeGreaterThan(0);

  await a.page.reload();
  await expect(a.page.locator('main')).toHaveAttribute('data-hydrated', 'true');
  await expect(status(a.page)).toHaveAttribute('data-state', 'connected');
  // The newest strokes can still be taken back.
  await expect(a.page.getByTestId('undo')).toBeEnabled();
  await a.page.getByTestId('undo').click();
  await expect(board(a.page)).toHaveAttribute('data-stroke-count', String(strokes - 1));
});
