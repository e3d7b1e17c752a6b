// Time from link restore to "pending 0 and the peer updated": A draws while offline, the
// network comes back, and the clock stops when A has nothing pending and B shows A's
// stroke. Both conditions are polled every animation frame in the pages themselves.
// Prints p50/p95 of RUNS samples as one JSON line for scripts/bench-reconnect.sh.
import { test } from '../tests/fixtures';
import { newRoom, openBoard, drawStroke, expectConverged, status, gotoBoard } from '../tests/helpers';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);

test('reconnect: link restore to pending 0 and peer updated', async ({ browser, server }) => {
  const room = newRoom();
  const context = await browser.newContext({ baseURL: server.baseURL });
  const a = await context.newPage();
  await gotoBoard(a, room, 'Alice');
  const b = (await openBoard(browser, room, 'Bob', server.baseURL)).page;
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    await context.setOffline(true);
    await a.waitForFunction(() => document.querySelector('[data-testid=connection-status]')?.getAttribute('data-state') === 'offline');
    await drawStroke(a, run);
    const expected = String(run + 1);
    const started = Date.now();
    await context.setOffline(false);
    await Promise.all([
      a.waitForFunction(() => document.querySelector('[data-testid=connection-status]')?.getAttribute('data-pending') === '0', null, { polling: 'raf' }),
      b.waitForFunction((n) => document.querySelector('[data-testid=board]')?.getAttribute('data-stroke-count') === n, expected, { polling: 'raf' }),
    ]);
    samples.push(Date.now() - started);
    await expectConverged([a, b], run + 1);
    await status(a).getAttribute('data-state');
  }
  samples.sort((x, y) => x - y);
  const pick = (p: number) => samples[Math.min(samples.length - 1, Math.ceil((p / 100) * samples.length) - 1)];
  console.log(`BENCH ${JSON.stringify({ runs: RUNS, p50_ms: pick(50), p95_ms: pick(95), min_ms: samples[0], max_ms: samples[samples.length - 1], samples })}`);
});
