// Drawing together: two browser contexts on one board.
import { test, expect } from './base';
import { newRoom, openBoard, drawStroke, beginStroke, expectConverged, board, gotoBoard } from './helpers';

test('strokes drawn by A appear on B with equal hashes', async ({ browser }) => {
  const room = newRoom();
  const a = await openBoard(browser, room, 'Alice');
  const b = await openBoard(browser, room, 'Bob');
  for (let i = 0; i < 3; i++) await drawStroke(a.page, i);
  await expectConverged([a.page, b.page], 3);
  await expect(board(a.page)).toHaveAttribute('data-seq', '3');
});

test('B sees A\'s stroke while A is still drawing', async ({ browser }) => {
  const room = newRoom();
  const a = await openBoard(browser, room, 'Alice');
  const b = await openBoard(browser, room, 'Bob');
  await beginStroke(a.page, [50, 50], [200, 120]);
  // The pointer is still down: only live points can have reached B.
  await expect(board(b.page)).toHaveAttribute('data-live-stroke-count', '1');
  await expect(board(b.page)).toHaveAttribute('data-stroke-count', '1');
  await expect(board(b.page)).toHaveAttribute('data-seq', '0');
  await a.page.mouse.up();
  await expectConverged([a.page, b.page], 1);
  await expect(board(b.page)).toHaveAttribute('data-live-stroke-count', '0');
});

test('presence lists the other people by name', async ({ browser }) => {
  const room = newRoom();
  const a = await openBoard(browser, room, 'Alice');
  const b = await openBoard(browser, room, 'Bob');
  await expect(a.page.getByTestId('presence').locator('[data-testid=peer][data-peer-name="Bob"]')).toHaveCount(1);
  await expect(b.page.getByTestId('presence').locator('[data-testid=peer][data-peer-name="Alice"]')).toHaveCount(1);
  // Bob's tab is gone without a goodbye: he may come back, so he shows as away.
  await b.context.close();
  await expect(a.page.locator('[data-testid=peer][data-peer-name="Bob"]')).toHaveAttribute('data-peer-state', 'away');
});

test('leaving a board says goodbye: peers see the user leave at once', async ({ browser }) => {
  const room = newRoom();
  const a = await openBoard(browser, room, 'Alice');
  const b = await openBoard(browser, room, 'Bob');
  const bob = a.page.locator('[data-testid=peer][data-peer-name="Bob"]');
  await expect(bob).toHaveCount(1);
  await b.page.locator('a.brand').click();
  await expect(b.page.getByTestId('new-board')).toBeVisible();
  await expect(bob).toHaveCount(0);
});

test('undo removes the user\'s own last stroke everywhere', async ({ browser }) => {
  const room = newRoom();
  const a = await openBoard(browser, room, 'Alice');
  const b = await openBoard(browser, room, 'Bob');
  await drawStroke(a.page, 0);
  await drawStroke(b.page, 1);
  await drawStroke(a.page, 2);
  await expectConverged([a.page, b.page], 3);
  await a.page.getByTestId('undo').click();
  await expectConverged([a.page, b.page], 2);
  await a.page.getByTestId('undo').click();
  await expectConverged([a.page, b.page], 1);
  // Only Bob's stroke is left: Alice has nothing more to undo.
  await expect(a.page.getByTestId('undo')).toBeDisabled();
});

test('clear asks first and then empties the board for everyone', async ({ browser }) => {
  const room = newRoom();
  const a = await openBoard(browser, room, 'Alice');
  const b = await openBoard(browser, room, 'Bob');
  await drawStroke(a.page, 0);
  await drawStroke(b.page, 1);
  await expectConverged([a.page, b.page], 2);
  a.page.once('dialog', (dialog) => dialog.dismiss());
  await a.page.getByTestId('clear').click();
  await expectConverged([a.page, b.page], 2);
  a.page.once('dialog', (dialog) => dialog.accept());
  await a.page.getByTestId('clear').click();
  await expectConverged([a.page, b.page], 0);
});

test('the eraser removes the strokes it touches', async ({ browser }) => {
  const room = newRoom();
  const a = await openBoard(browser, room, 'Alice');
  const b = await openBoard(browser, room, 'Bob');
  await drawStroke(a.page, 0); // y = 40
  await drawStroke(a.page, 4); // y = 140
  await expectConverged([a.page, b.page], 2);
  await b.page.getByTestId('eraser').click();
  await beginStroke(b.page, [70, 10], [70, 80]); // crosses only the first stroke
  await b.page.mouse.up();
  await expectConverged([a.page, b.page], 1);
});

test('a reload shows every stroke, painted from the server-rendered page', async ({ browser }) => {
  const room = newRoom();
  const a = await openBoard(browser, room, 'Alice');
  for (let i = 0; i < 3; i++) await drawStroke(a.page, i);
  await expectConverged([a.page], 3);
  const hash = await board(a.page).getAttribute('data-doc-hash');
  // Without JavaScript the HTML itself carries the strokes.
  const html = await (await a.page.request.get(`/b/${room}`)).text();
  expect(html).toContain('data-stroke-count="3"');
  await gotoBoard(a.page, room, 'Alice');
  await expect(board(a.page)).toHaveAttribute('data-stroke-count', '3');
  await expect(board(a.page)).toHaveAttribute('data-doc-hash', hash!);
});
