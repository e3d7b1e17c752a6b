// How fast a fast drawer sends, against the server's rate budgets: every frame the page
// sends to the server is counted by type through page.routeWebSocket.
// - Continuous drawing: one 3-second stroke with the pointer moving as fast as the
//   automation can (far more often than any screen refreshes): ephemeral messages (live
//   points + cursor) per second.
// - Scribbling: 30 short strokes back to back as fast as the automation can move (far
//   faster than a hand): durable ops per second.
// Prints both with the default budgets and the margins.
import { test, expect } from '../tests/fixtures';
import { newRoom, gotoBoard, board, status } from '../tests/helpers';

const OPS_PER_SECOND = 40; // tether_core::limits::OPS_PER_SECOND
const EPHEMERAL_PER_SECOND = 600; // tether_core::limits::EPHEMERAL_PER_SECOND

test('drawing rate: a fast drawer against the rate budgets', async ({ browser, server }) => {
  const context = await browser.newContext({ baseURL: server.baseURL });
  const page = await context.newPage();
  const sent: { type: string; at: number }[] = [];
  await page.routeWebSocket(/\/ws\//, (ws) => {
    const upstream = ws.connectToServer();
    ws.onMessage((message) => {
      const type = JSON.parse(String(message)).type as string;
      sent.push({ type, at: Date.now() });
      upstream.send(message);
    });
    upstream.onMessage((message) => ws.send(message));
  });
  await gotoBoard(page, newRoom(), 'Speedy');
  const box = (await board(page).boundingBox())!;

  // Continuous drawing for three seconds.
  await page.mouse.move(box.x + 20, box.y + 20);
  await page.mouse.down();
  const start = Date.now();
  let i = 0;
  while (Date.now() - start < 3_000) {
    i++;
    await page.mouse.move(box.x + 20 + (i % 300), box.y + 20 + ((i * 7) % 200));
  }
  await page.mouse.up();
  const drawn = sent.filter((m) => m.at >= start && m.at <= start + 3_000);
  const ephemeral = drawn.filter((m) => m.type === 'liveStroke' || m.type === 'cursor').length / 3;

  // Scribbling: short strokes back to back.
  const scribbleStart = Date.now();
  for (let s = 0; s < 30; s++) {
    const x = box.x + 30 + (s % 10) * 25;
    const y = box.y + 240 + Math.floor(s / 10) * 25;
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 12, y + 6);
    await page.mouse.move(x + 18, y + 2);
    await page.mouse.up();
  }
  const scribbleSeconds = (Date.now() - scribbleStart) / 1000;
  await expect(status(page)).toHaveAttribute('data-pending', '0');
  const ops = sent.filter((m) => m.type === 'op' && m.at >= scribbleStart).length;
  expect(ops).toBe(30);
  const opsPerSecond = ops / scribbleSeconds;
  console.log(`BENCH ${JSON.stringify({
    ephemeral_per_second_drawing: Math.round(ephemeral),
    ephemeral_budget: EPHEMERAL_PER_SECOND,
    ephemeral_margin: +(EPHEMERAL_PER_SECOND / ephemeral).toFixed(1),
    ops_per_second_scribbling: +opsPerSecond.toFixed(1),
    ops_budget: OPS_PER_SECOND,
    ops_margin: +(OPS_PER_SECOND / opsPerSecond).toFixed(1),
  })}`);
});
