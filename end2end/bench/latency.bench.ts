// One stroke's delivery latency, WebSocket vs polling: from the author's pointer-up to the
// peer (on WebSocket) showing the stroke, polled every animation frame in the peer's page.
// Prints p50 of RUNS strokes per transport, and the extra latency of polling.
import { test, expect } from '../tests/fixtures';
import { beginStroke, status, board, pairThroughNetwork } from '../tests/helpers';
import type { Page } from '@playwright/test';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);

test.use({ serverEnv: { TETHER_BACKOFF_BASE_MS: '200', TETHER_BACKOFF_CAP_MS: '500' } });

async function strokeLatencies(author: Page, peer: Page, offset: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const expected = Number(await board(peer).getAttribute('data-seq')) + 1;
    await beginStroke(author, [30 + (i % 5) * 60, 40 + offset], [70 + (i % 5) * 60, 60 + offset], 4);
    const started = Date.now();
    await author.mouse.up();
    await peer.waitForFunction(
      (seq) => Number(document.querySelector('[data-testid=board]')?.getAttribute('data-seq')) >= seq,
      expected,
      { polling: 'raf' },
    );
    samples.push(Date.now() - started);
  }
  return samples.sort((x, y) => x - y);
}

const p50 = (sorted: number[]) => sorted[Math.ceil(sorted.length / 2) - 1];

test('latency: one stroke over WebSocket vs over the polling fallback', async ({ browser, server }) => {
  const { a, b, net } = await pairThroughNetwork(browser, server.baseURL);
  const websocket = await strokeLatencies(a, b, 0);

  net.mode = { kind: 'refuse' };
  await net.cut();
  await expect(status(a)).toHaveAttribute('data-transport', 'polling', { timeout: 20_000 });
  await expect(status(a)).toHaveAttribute('data-pending', '0');
  const polling = await strokeLatencies(a, b, 150);
  console.log(`BENCH ${JSON.stringify({
    runs: RUNS,
    websocket_p50_ms: p50(websocket),
    polling_p50_ms: p50(polling),
    polling_extra_p50_ms: p50(polling) - p50(websocket),
    websocket, polling,
  })}`);
});
