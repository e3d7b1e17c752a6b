// Time from a link turning into a black hole (it stays open, nothing flows) while the user
// draws to the client giving it up and opening a new one — with the default heartbeat
// (ping every 15 s, 5 s to answer), so what is measured is the stall detection. Each run
// restores the link and waits until everything converged. Prints p50/p95 of RUNS samples
// as one JSON line (scripts/bench-browser.sh).
import { test, expect } from '../tests/fixtures';
import { drawStroke, expectConverged, pairThroughNetwork } from '../tests/helpers';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);

// Only the reconnect side is quick (a hello lost in the black hole is retried after 2 s).
test.use({
  serverEnv: {
    TETHER_BACKOFF_BASE_MS: '300',
    TETHER_BACKOFF_CAP_MS: '2000',
    TETHER_HANDSHAKE_TIMEOUT_MS: '2000',
  },
});

test('black hole while drawing: noticed and replaced', async ({ browser, server }) => {
  test.setTimeout(RUNS * 30_000);
  const { a, b, net } = await pairThroughNetwork(browser, server.baseURL);
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const opened = net.opened;
    net.mode = { kind: 'blackhole' };
    const started = Date.now();
    await drawStroke(a, run);
    await expect.poll(() => net.opened, { intervals: [10], timeout: 25_000 }).toBeGreaterThan(opened);
    samples.push(Date.now() - started);
    net.mode = { kind: 'pass' };
    await expectConverged([a, b], run + 1);
  }
  samples.sort((x, y) => x - y);
  const pick = (p: number) => samples[Math.min(samples.length - 1, Math.ceil((p / 100) * samples.length) - 1)];
  console.log(`BENCH ${JSON.stringify({ runs: RUNS, p50_ms: pick(50), p95_ms: pick(95), min_ms: samples[0], max_ms: samples[samples.length - 1], samples })}`);
});
