// "Retry now": with a long backoff pending, the button reconnects at once.
import { test, expect } from './fixtures';
import { drawStroke, expectConverged, pairThroughNetwork, status } from './helpers';

test.use({
  serverEnv: {
    TETHER_BACKOFF_BASE_MS: '60000',
    TETHER_BACKOFF_CAP_MS: '60000',
    TETHER_HANDSHAKE_TIMEOUT_MS: '2000',
  },
});

test('"Retry now" reconnects at once instead of waiting out the backoff', async ({ browser, server }) => {
  const { a, b, net } = await pairThroughNetwork(browser, server.baseURL);
  // The link drops and nothing gets through: the next attempt is up to a minute away.
  net.mode = { kind: 'offline' };
  await net.cut();
  await expect(status(a)).toHaveAttribute('data-state', 'reconnecting');
  await drawStroke(a, 0);
  await expect(a.getByTestId('retry-now')).toBeVisible();
  net.mode = { kind: 'pass' };
  const clicked = Date.now();
  await a.getByTestId('retry-now').click();
  await expect(status(a)).toHaveAttribute('data-state', 'connected', { timeout: 5_000 });
  expect(Date.now() - clicked).toBeLessThan(5_000);
  await expectConverged([a, b], 1);
});
