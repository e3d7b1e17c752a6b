// Strokes are durable: they survive the server being killed and restarted.
import { test, expect } from './fixtures';
import { newRoom, openBoard, drawStroke, expectConverged, board, gotoBoard, status } from './helpers';

test('strokes survive a server kill -9 and restart', async ({ browser, server }) => {
  const room = newRoom();
  const a = await openBoard(browser, room, 'Alice', server.baseURL);
  const b = await openBoard(browser, room, 'Bob', server.baseURL);
  for (let i = 0; i < 3; i++) await drawStroke(a.page, i);
  await expectConverged([a.page, b.page], 3);

  await server.kill('SIGKILL');
  await expect(status(a.page)).not.toHaveAttribute('data-state', 'connected');
  await server.launch();
  // Both clients come back on their own, with everything.
  await expect(status(a.page)).toHaveAttribute('data-state', 'connected', { timeout: 20_000 });
  await expect(status(b.page)).toHaveAttribute('data-state', 'connected', { timeout: 20_000 });
  await expectConverged([a.page, b.page], 3);
  // And a fresh page load gets them from the restarted server.
  await gotoBoard(b.page, room, 'Bob');
  await expect(board(b.page)).toHaveAttribute('data-stroke-count', '3');
  await expect(board(b.page)).toHaveAttribute('data-seq', '3');
});
