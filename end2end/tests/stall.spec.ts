// A link that silently stops forwarding (a black hole) while the user draws is noticed
// within 6 s — with the default heartbeat, which alone would take about 20 s: the stroke's
// missing ack sends a probe, and the unanswered probe replaces the link.
import { test, expect } from './fixtures';
import { drawStroke, expectConverged, pairThroughNetwork, status } from './helpers';

// Only the reconnect side is quick (a hello lost in the black hole is retried after 2 s);
// the heartbeat keeps its defaults.
test.use({
  serverEnv: {
    TETHER_BACKOFF_BASE_MS: '300',
    TETHER_BACKOFF_CAP_MS: '2000',
    TETHER_HANDSHAKE_TIMEOUT_MS: '2000',
  },
});

test('a black hole while drawing is noticed within 6 s and nothing is lost', async ({ browser, server }) => {
  const { a, b, net } = await pairThroughNetwork(browser, server.baseURL);
  await drawStroke(a, 0);
  await expectConverged([a, b], 1);

  const opened = net.opened;
  net.mode = { kind: 'blackhole' };
  const drewAt = Date.now();
  await drawStroke(a, 1);
  await expect(status(a)).not.toHaveAttribute('data-state', 'connected', { timeout: 6_000 });
  await expect.poll(() => net.opened, { timeout: 6_000 - (Date.now() - drewAt) }).toBeGreaterThan(opened);
  const noticedAfter = Date.now() - drewAt;
  expect(noticedAfter).toBeLessThanOrEqual(6_000);
  test.info().annotations.push({ type: 'noticed after (ms)', description: String(noticedAfter) });

  net.mode = { kind: 'pass' };
  await expect(status(a)).toHaveAttribute('data-state', 'connected');
  await expectConverged([a, b], 2);
});
