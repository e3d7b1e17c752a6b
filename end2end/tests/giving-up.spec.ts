// Never stuck in `failed`: once the attempts run out the chip says so and offers Retry,
// but the client keeps trying quietly; a server back after a long outage gets every
// pending stroke without anyone clicking.
import { test, expect } from './fixtures';
import { newRoom, openBoard, drawStroke, expectConverged, reconnectAttempts, status } from './helpers';

test.use({
  serverEnv: {
    // Three quick attempts, then quiet ones every 1–2 s (a minute by default).
    TETHER_BACKOFF_BASE_MS: '200',
    TETHER_BACKOFF_CAP_MS: '400',
    TETHER_BACKOFF_MAX_ATTEMPTS: '3',
    TETHER_QUIET_RETRY_MS: '2000',
    TETHER_HANDSHAKE_TIMEOUT_MS: '2000',
  },
});

test('a server down longer than the whole backoff: failed, then back and synced without a click', async ({ browser, server }) => {
  const room = newRoom();
  const a = (await openBoard(browser, room, 'Alice', server.baseURL)).page;
  await server.kill('SIGKILL');
  await expect(status(a)).toHaveAttribute('data-state', 'failed');
  const failedToasts = a.getByTestId('toast').filter({ hasText: /could not reach/i });
  await expect(failedToasts).toHaveCount(1);
  await expect(a.getByTestId('retry-now')).toBeVisible();
  await drawStroke(a, 0);
  await drawStroke(a, 1);
  await expect(status(a)).toHaveAttribute('data-pending', '2');
  // Quiet attempts keep failing meanwhile: the chip does not flap, nobody is told twice.
  await expect.poll(() => reconnectAttempts(a), { timeout: 15_000 }).toBeGreaterThanOrEqual(5);
  await expect(status(a)).toHaveAttribute('data-state', 'failed');
  expect(await failedToasts.count()).toBeLessThanOrEqual(1);

  await server.launch();
  await expect(status(a)).toHaveAttribute('data-state', 'connected', { timeout: 10_000 });
  await expect(status(a)).toHaveAttribute('data-pending', '0');
  const b = (await openBoard(browser, room, 'Bob', server.baseURL)).page;
  await expectConverged([a, b], 2);
});
