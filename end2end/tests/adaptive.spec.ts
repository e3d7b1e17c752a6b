// Adaptive quality: on a slow link the chip reports a lower detail level and the same
// stroke travels in fewer bytes (live batches less often and thinned, the finished stroke
// simplified within its width) — and it still arrives whole.
import { test, expect } from './fixtures';
import { board, expectConverged, pairThroughNetwork, status } from './helpers';
import type { Page } from '@playwright/test';

test.use({ serverEnv: { TETHER_PING_INTERVAL_MS: '1000', TETHER_PONG_TIMEOUT_MS: '2000' } });

/** One wavy stroke of many samples across the board, the same every time. */
async function drawWave(page: Page) {
  const box = (await board(page).boundingBox())!;
  await page.mouse.move(box.x + 40, box.y + 200);
  await page.mouse.down();
  for (let i = 1; i <= 80; i++) {
    const x = 40 + i * 8;
    const y = 200 + 60 * Math.sin(i / 6);
    await page.mouse.move(box.x + x, box.y + y);
  }
  await page.mouse.up();
}

test('a slow link lowers the detail level and the bytes per stroke; the stroke still arrives', async ({ browser, server }) => {
  const { a, b, net } = await pairThroughNetwork(browser, server.baseURL);
  await expect(status(a)).toHaveAttribute('data-quality-level', 'full');
  let before = net.bytesUp;
  await drawWave(a);
  await expectConverged([a, b], 1);
  const fastBytes = net.bytesUp - before;

  // 400 ms each way: the round trip is "degraded", so the detail is reduced.
  net.mode = { kind: 'delay', ms: 400 };
  await expect(status(a)).toHaveAttribute('data-quality-level', 'reduced', { timeout: 15_000 });
  await status(a).click();
  await expect(a.getByTestId('quality-level')).toHaveText('reduced');
  await status(a).click();
  before = net.bytesUp;
  await drawWave(a);
  await expectConverged([a, b], 2);
  const slowBytes = net.bytesUp - before;
  test.info().annotations.push({ type: 'bytes per stroke', description: `fast ${fastBytes}, slow ${slowBytes}` });
  expect(slowBytes).toBeLessThan(fastBytes * 0.6);

  net.mode = { kind: 'pass' };
  await expect(status(a)).toHaveAttribute('data-quality-level', 'full', { timeout: 30_000 });
});
